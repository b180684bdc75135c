// The web view's shared pieces (loaded first): where the page is, DOM building, number
// and time formats, data fetching, uPlot charts. Everything that comes from a log is put
// into the page as text (textContent, createTextNode, attribute values): never parsed as
// markup. The page scripts share the globalThis.logtrace namespace (plain scripts, no
// build step; the report inlines them in the same order).
(function () {
  'use strict';

  const page = document.body.dataset.page;
  const app = document.getElementById('app');
  const inlined = document.getElementById('logtrace-data');
  const report = inlined === null ? null : JSON.parse(inlined.textContent || 'null');
  const SERVICE_CLASS = { backend: 'svc-backend', gpu_server: 'svc-gpu', comfyui: 'svc-comfyui' };

  /** An element with attributes and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') node.textContent = String(value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    return node;
  }

  /** Milliseconds for reading: 236 ms, 8.2 s, 1.5 min. */
  function ms(value) {
    if (value === null || value === undefined || Number.isNaN(value)) return '—';
    if (value < 1000) return `${Math.round(value)} ms`;
    if (value < 120000) return `${(value / 1000).toFixed(1)} s`;
    return `${(value / 60000).toFixed(1)} min`;
  }

  function time(iso) {
    return iso === null || iso === undefined ? '—' : iso.replace('T', ' ').replace('Z', ' UTC');
  }

  /** Where a trace is shown: its page on the server; in a report, its section when included. */
  function traceHref(id) {
    if (report === null) return `/trace/${encodeURIComponent(id)}`;
    const index = report.traces.findIndex((t) => [t.request_id, ...t.generation_ids, ...t.prompt_ids].includes(id));
    return index < 0 ? null : `#trace-${index}`;
  }

  function traceLink(id, label) {
    const href = traceHref(id);
    return href === null ? el('code', { text: label || id }) : el('a', { href, class: 'id' }, label || id);
  }

  function section(title, id, ...children) {
    const headingId = `${id}-h`;
    return el('section', { id, 'aria-labelledby': headingId }, el('h2', { id: headingId, text: title }), ...children);
  }

  function table(caption, head, rows) {
    return el(
      'table',
      {},
      el('caption', { text: caption }),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          head.map((h) => el('th', { scope: 'col', text: h })),
        ),
      ),
      el('tbody', {}, rows),
    );
  }

  function showError(message, extra) {
    app.replaceChildren(el('div', { class: 'problem', role: 'alert' }, el('p', { text: message }), extra || null));
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    if (!response.ok) throw Object.assign(new Error(body.error || `HTTP ${response.status}`), { body, status: response.status });
    return body;
  }

  // ---- charts (uPlot) ----

  const charts = [];

  function chartBox(label) {
    return el('figure', { class: 'chart', role: 'img', 'aria-label': label }, el('figcaption', { text: label }));
  }

  function drawChart(box, opts, data) {
    const width = Math.max(280, box.clientWidth - 8);
    const chart = new uPlot({ width, height: 200, ...opts }, data, box);
    charts.push({ chart, box });
    return chart;
  }

  window.addEventListener('resize', () => {
    for (const { chart, box } of charts) chart.setSize({ width: Math.max(280, box.clientWidth - 8), height: 200 });
  });

  const COLORS = { gen: '#1f5fa8', err: '#b3261e', p50: '#1f5fa8', p95: '#b45309', bar: '#2e7d32' };

  /** A chart over time slots: `seconds` are the slots' starts, `slotSeconds` their width (the x range covers whole slots, one slot included). */
  function timeSeriesChart(box, seconds, slotSeconds, series) {
    const first = seconds[0] || 0;
    const last = (seconds[seconds.length - 1] || first) + slotSeconds;
    return drawChart(
      box,
      {
        // Counts and durations from zero, so a bar's height is its value.
        scales: { x: { time: true, range: () => [first, last] }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.08 : 1] } },
        axes: [{}, { values: (u, vals) => vals.map((v) => (series.unit === 'ms' ? ms(v) : String(v))), size: 70 }],
        series: [
          {},
          ...series.lines.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            spanGaps: s.spanGaps,
            paths: s.bars ? uPlot.paths.bars({ size: [0.8] }) : undefined,
            points: s.bars ? { show: false } : undefined,
            fill: s.bars ? `${s.color}55` : undefined,
          })),
        ],
      },
      [seconds, ...series.lines.map((s) => s.values)],
    );
  }

  globalThis.logtrace = {
    page,
    app,
    report,
    SERVICE_CLASS,
    COLORS,
    el,
    svg,
    ms,
    time,
    traceHref,
    traceLink,
    section,
    table,
    showError,
    getJson,
    chartBox,
    drawChart,
    timeSeriesChart,
  };
})();
