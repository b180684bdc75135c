import { timingSafeEqual, createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

/** Cookie a browser keeps the token in after opening the printed URL (`?token=`). */
export const TOKEN_COOKIE = 'logtrace_token';

/** The Content-Security-Policy of every served page: scripts and styles only from the server itself, no inline script, no eval. */
export const SERVER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** What the guard checks: the Host names the server answers to, and the token when one is required. */
export interface GuardOptions {
  /** Accepted Host header values (host:port), lower case. */
  readonly hosts: readonly string[];
  readonly token: string | undefined;
}

/** Compares two strings in time independent of where they differ (their SHA-256 digests, so lengths do not leak either). */
export function tokensMatch(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Refuses requests whose Host is not the listen address (DNS rebinding: a page on
 * another site cannot reach the server by pointing its name at 127.0.0.1), and, with a
 * token, requests without it (Authorization: Bearer, the cookie, or `?token=` which sets
 * the cookie and redirects to the same URL without it).
 */
export function guardRequest({ hosts, token }: GuardOptions): MiddlewareHandler {
  return async function guard(c, next) {
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!hosts.includes(host)) {
      return c.text(`Host "${host.slice(0, 100)}" is not this server (expected ${hosts.join(' or ')})\n`, 421);
    }
    if (token !== undefined) {
      const bearer = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
      const fromQuery = c.req.query('token');
      const given = bearer ?? fromQuery ?? getCookie(c, TOKEN_COOKIE);
      if (given === undefined || !tokensMatch(given, token)) {
        return c.text('a token is required: open the URL logtrace serve printed, or send Authorization: Bearer TOKEN\n', 401);
      }
      if (fromQuery !== undefined) {
        setCookie(c, TOKEN_COOKIE, fromQuery, { httpOnly: true, sameSite: 'Strict', path: '/' });
        const url = new URL(c.req.url);
        url.searchParams.delete('token');
        return c.redirect(`${url.pathname}${url.search}`, 303);
      }
    }
    await next();
  };
}

/** Sets the security headers on every answer, the guard's refusals included (register it first). */
export function secureHeaders(): MiddlewareHandler {
  return async function setSecurityHeaders(c, next) {
    await next();
    secure(c.res.headers);
  };
}

function secure(headers: Headers): void {
  headers.set('Content-Security-Policy', SERVER_CSP);
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  headers.set('X-Frame-Options', 'DENY');
  headers.set('Cache-Control', 'no-store');
}
