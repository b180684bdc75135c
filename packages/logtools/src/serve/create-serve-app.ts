import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { AmbiguousIdError, InputError, NotFoundError, UsageError } from '../logtrace-error.js';
import { guardRequest, secureHeaders, type GuardOptions } from './guard-request.js';
import { pageShell, servedHead, type PageKind } from './page-shell.js';
import { checkTraceId, type QueryValues } from './view-query.js';
import { BusyError, type ViewLoader } from './view-loader.js';
import type { WebAssets } from './web-assets.js';

/** What the app serves from: the loader of the views, the web assets, and what the guard checks. */
export interface ServeAppDeps {
  readonly loader: ViewLoader;
  readonly assets: WebAssets;
  readonly guard: GuardOptions;
  /** Told of an unexpected error (the answer says only "internal error"). */
  readonly onInternalError?: (error: unknown) => void;
  /** How often /api/events looks at the files for a change, ms. Default 2000. */
  readonly liveIntervalMs?: number;
  /** Aborted when the server stops: live streams end at once. */
  readonly stopping?: AbortSignal;
}

/** Open /api/events streams at most; one more is answered 503. */
export const MAX_LIVE_STREAMS = 16;
/** A comment line this often keeps an idle stream through proxies, ms. */
const KEEPALIVE_MS = 15_000;

/** Longest search text taken, characters. */
const MAX_SEARCH = 200;

/**
 * The web view: pages (overview, trace, errors), their data under /api/view, the CLI's
 * `--json` documents under /api (perf, errors, trace), the web assets; every request
 * guarded (Host, token) and answered with the security headers.
 */
export function createServeApp({ loader, assets, guard, onInternalError, liveIntervalMs = 2000, stopping }: ServeAppDeps): Hono {
  const app = new Hono();
  app.use('*', secureHeaders());
  app.use('*', guardRequest(guard));

  const head = servedHead(assets.scripts.map((s) => s.name));
  const page = (kind: PageKind, title: string) => () =>
    new Response(pageShell(kind, { title, head }), { headers: { 'Content-Type': 'text/html; charset=utf-8' } });
  app.get('/', page('overview', 'logtrace — overview'));
  app.get('/errors', page('errors', 'logtrace — errors'));
  app.get('/trace/:id', (c) => {
    checkTraceId(c.req.param('id'));
    return page('trace', 'logtrace — trace')();
  });
  app.get('/search', (c) => {
    const q = (c.req.query('q') ?? '').trim().slice(0, MAX_SEARCH);
    if (q === '') return c.redirect('/', 303);
    // Anything shaped like an id goes to its trace (the trace page says when it is unknown or ambiguous); other text filters the errors.
    if (/^[A-Za-z0-9._:-]{8,128}$/.test(q) && /\d/.test(q)) return c.redirect(`/trace/${encodeURIComponent(q)}`, 303);
    return c.redirect(`/errors?q=${encodeURIComponent(q)}`, 303);
  });

  const asset = (body: string, type: string) => () =>
    new Response(body, { headers: { 'Content-Type': type, 'Cache-Control': 'no-cache' } });
  // Browsers ask for it on every page; no icon rather than a 404 in the console.
  app.get('/favicon.ico', () => new Response(null, { status: 204 }));
  for (const script of assets.scripts) app.get(`/static/${script.name}`, asset(script.text, 'text/javascript; charset=utf-8'));
  app.get('/static/style.css', asset(assets.styleCss, 'text/css; charset=utf-8'));
  app.get('/static/uplot.css', asset(assets.uplotCss, 'text/css; charset=utf-8'));

  app.get('/api/perf', async (c) => c.json(await loader.perf(queryOf(c.req.url))));
  app.get('/api/errors', async (c) => c.json(await loader.errors(queryOf(c.req.url))));
  app.get('/api/trace/:id', async (c) => c.json(await loader.trace(c.req.param('id'), queryOf(c.req.url))));
  app.get('/api/view/overview', async (c) => c.json(await loader.overview(queryOf(c.req.url))));
  app.get('/api/view/errors', async (c) => c.json(await loader.errorsView(queryOf(c.req.url))));

  // Live pages: a `changed` event whenever the logs' files change (grow, rotate, appear); the page then fetches its data again.
  let liveStreams = 0;
  app.get('/api/events', (c) => {
    if (liveStreams >= MAX_LIVE_STREAMS) return c.json({ error: `busy: ${MAX_LIVE_STREAMS} live pages are open already` }, 503);
    liveStreams++;
    let closed = false;
    return streamSSE(
      c,
      async (stream) => {
        const end = () => {
          closed = true;
          stream.abort();
        };
        stream.onAbort(() => {
          closed = true;
        });
        if (stopping?.aborted === true) end();
        stopping?.addEventListener('abort', end, { once: true });
        try {
          let last = await loader.signature();
          let quiet = 0;
          while (!closed) {
            await stream.sleep(liveIntervalMs);
            if (closed) break;
            const now = await loader.signature();
            if (now !== last) {
              last = now;
              quiet = 0;
              await stream.writeSSE({ event: 'changed', data: '{}' });
            } else if ((quiet += liveIntervalMs) >= KEEPALIVE_MS) {
              quiet = 0;
              await stream.write(': keep-alive\n\n');
            }
          }
        } finally {
          liveStreams--;
          stopping?.removeEventListener('abort', end);
        }
      },
      async (error) => {
        // A page that went away is no error; anything else is reported (the stream just ends).
        if (!closed) onInternalError?.(error);
      },
    );
  });

  app.notFound((c) => c.json({ error: `no such page: ${c.req.path.slice(0, 100)}` }, 404));
  app.onError((error, c) => {
    if (error instanceof AmbiguousIdError) {
      return c.json(
        { error: error.message, candidates: error.candidates.map((x) => ({ ...x, time: new Date(x.time).toISOString() })) },
        409,
      );
    }
    if (error instanceof UsageError) return c.json({ error: error.message }, 400);
    if (error instanceof NotFoundError) return c.json({ error: error.message }, 404);
    if (error instanceof BusyError) return c.json({ error: error.message }, 503);
    if (error instanceof InputError) return c.json({ error: error.message }, 503);
    onInternalError?.(error);
    return c.json({ error: 'internal error: the logs could not be read' }, 500);
  });
  return app;
}

/** A request's query parameters, each name with all its values (the token is the guard's, not the page's). */
function queryOf(url: string): QueryValues {
  const query: Record<string, string[]> = {};
  for (const [name, value] of new URL(url).searchParams) if (name !== 'token') (query[name] ??= []).push(value);
  return query;
}
