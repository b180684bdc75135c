// The page script: which page this is, where its data comes from (the server's /api/view
// and /api endpoints, or the report's inlined JSON block), and drawing it with the
// renderers of overview.js, errors.js and trace.js.
(function (lt) {
  'use strict';

  const {
    page,
    app,
    report,
    el,
    ms,
    time,
    traceLink,
    section,
    showError,
    getJson,
    renderOverview,
    renderErrors,
    renderTrace,
    renderTypical,
  } = lt;

  function mount(...parts) {
    app.replaceChildren(...parts);
  }

  async function showOverview() {
    const view = await getJson(`/api/view/overview${location.search}`);
    const { parts, draw } = renderOverview(view);
    mount(el('h1', { text: 'Overview' }), ...parts);
    draw();
  }

  async function showErrors() {
    const params = new URLSearchParams(location.search);
    const filter = params.get('q') || '';
    params.delete('q');
    const rest = params.toString();
    const view = await getJson(`/api/view/errors${rest ? `?${rest}` : ''}`);
    mount(el('h1', { text: 'Errors' }), ...renderErrors(view, filter));
    const input = document.getElementById('q');
    if (input && filter) input.value = filter;
  }

  async function showTrace() {
    const id = decodeURIComponent(location.pathname.slice('/trace/'.length));
    let trace;
    try {
      trace = await getJson(`/api/trace/${encodeURIComponent(id)}`);
    } catch (error) {
      const candidates = error.body && error.body.candidates;
      showError(
        error.message,
        candidates
          ? el(
              'ul',
              {},
              candidates.map((c) => el('li', {}, traceLink(c.id), ` ${c.field}, ${c.service}, first seen ${time(c.time)}`)),
            )
          : null,
      );
      return;
    }
    mount(el('h1', {}, 'Trace ', el('code', { text: trace.id })), ...renderTrace(trace));
    const box = app.querySelector('.typical');
    try {
      // The overview's statistics of the default window: already computed when the trace was opened from the overview.
      renderTypical(box, trace, (await getJson('/api/view/overview')).perf);
    } catch (error) {
      box.replaceChildren(el('p', { text: `No typical generation to compare with: ${error.message}` }));
    }
  }

  function showReport() {
    const { overview, traces } = report;
    const { parts, draw } = renderOverview(overview);
    const errorsView = { window: overview.window, errors: overview.errors, sparklines: overview.sparklines };
    const traceSections = traces.map((t, i) =>
      el(
        'article',
        { id: `trace-${i}`, class: 'trace', 'aria-labelledby': `trace-${i}-h` },
        el('h3', { id: `trace-${i}-h` }, `${i + 1}. `, el('code', { text: t.id }), ` — ${ms(t.duration_ms)}`),
        ...renderTrace(t, i),
      ),
    );
    mount(
      el('h1', { text: 'logtrace report' }),
      el('p', { class: 'window', text: `Written ${time(report.written_at)}.` }),
      section('Overview', 'overview', ...parts),
      section('Errors', 'errors', ...renderErrors(errorsView, '')),
      section(`The ${traces.length} slowest traces`, 'traces', ...traceSections),
    );
    traces.forEach((t, i) => renderTypical(app.querySelector(`.typical[data-for="${i}"]`), t, overview.perf));
    draw();
    const form = document.querySelector('form.search');
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const q = document.getElementById('q').value.trim();
      const href = q
        ? traces.findIndex((t) => [t.request_id, ...t.generation_ids, ...t.prompt_ids].some((id) => id && id.startsWith(q)))
        : -1;
      if (href >= 0) location.hash = `trace-${href}`;
      else {
        const errorsSection = document.getElementById('errors');
        errorsSection.replaceChildren(errorsSection.firstChild, ...renderErrors(errorsView, q));
        location.hash = 'errors';
      }
    });
  }

  const refresh = document.getElementById('refresh');
  if (refresh) refresh.addEventListener('click', () => location.reload());

  const shown = { overview: showOverview, errors: showErrors, trace: showTrace, report: async () => showReport() }[page];
  Promise.resolve()
    .then(() => shown())
    .then(() => {
      document.body.setAttribute('data-ready', 'true');
      if (!report) followChanges();
    })
    .catch((error) => {
      showError(error.message || String(error));
      document.body.setAttribute('data-ready', 'error');
    });

  // Live: the server says when the logs changed; the page fetches its data again and
  // redraws in place (no reload). One redraw at a time; a change during one is drawn next.
  function followChanges() {
    if (typeof EventSource !== 'function') return;
    const events = new EventSource('/api/events');
    let drawing = Promise.resolve();
    let redraws = 0;
    events.addEventListener('changed', () => {
      drawing = drawing
        .then(() => shown())
        .then(() => document.body.setAttribute('data-updated', String(++redraws)))
        .catch((error) => showError(error.message || String(error)));
    });
  }
})(globalThis.logtrace);
