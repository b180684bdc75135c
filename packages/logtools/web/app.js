// The pages of `logtrace serve` and of `logtrace report --html`: one plain script, no
// build step. Everything that comes from a log is put into the page as text
// (textContent, createTextNode, attribute values): never parsed as markup.
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

  function timeSeriesChart(box, seconds, series) {
    return drawChart(
      box,
      {
        scales: { x: { time: true } },
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

  // ---- overview ----

  function renderOverview(view) {
    const { perf, errors, series, window: w } = view;
    const seconds = series.start.map((t) => t / 1000);
    const stats = el(
      'dl',
      { class: 'tiles' },
      tile('Generations', perf.generation.count, 'gen-count'),
      tile('p50', ms(perf.generation.p50_ms), 'gen-p50'),
      tile('p95', ms(perf.generation.p95_ms), 'gen-p95'),
      tile(`Slow (≥ ${ms(perf.slow.threshold_ms)})`, perf.slow.count, 'slow-count'),
      tile('Errors', errors.total, 'error-total'),
    );
    const slotName =
      { 60000: 'minute', 300000: '5 minutes', 900000: '15 minutes', 3600000: 'hour', 86400000: 'day' }[w.slot_ms] || ms(w.slot_ms);
    const rate = chartBox(`Generations and errors per ${slotName}`);
    const latency = chartBox('Generation time p50 and p95 over time');
    const hist = chartBox('Histogram of generation times');
    const q = perf.stages.queue_wait;
    const x = perf.stages.execution;
    const max = Math.max(q.p95_ms || 0, x.p95_ms || 0, 1);
    const bar = (value, cls) => {
      const b = el('span', { class: `hbar ${cls}` });
      b.style.width = `${Math.max(0.5, ((value || 0) / max) * 100)}%`;
      return el('span', { class: 'hbar-track' }, b);
    };
    const queueTable = table(
      'ComfyUI queue wait vs execution',
      ['Stage', 'Count', 'p50', 'p95', 'Max', 'p95 compared'],
      [
        el(
          'tr',
          {},
          el('th', { scope: 'row', text: 'Queue wait' }),
          el('td', { text: q.count }),
          el('td', { text: ms(q.p50_ms) }),
          el('td', { text: ms(q.p95_ms) }),
          el('td', { text: ms(q.max_ms) }),
          el('td', {}, bar(q.p95_ms, 'svc-queue')),
        ),
        el(
          'tr',
          {},
          el('th', { scope: 'row', text: 'Execution' }),
          el('td', { text: x.count }),
          el('td', { text: ms(x.p50_ms) }),
          el('td', { text: ms(x.p95_ms) }),
          el('td', { text: ms(x.max_ms) }),
          el('td', {}, bar(x.p95_ms, 'svc-comfyui')),
        ),
      ],
    );
    const slow = table(
      `Slowest generations (${perf.slow.count} at or above ${ms(perf.slow.threshold_ms)})`,
      ['Duration', 'Finished', 'Request'],
      perf.slow.items.map((s) =>
        el(
          'tr',
          {},
          el('td', { text: ms(s.duration_ms) }),
          el('td', { text: time(s.time) }),
          el('td', {}, s.request_id ? traceLink(s.request_id) : s.generation_id ? traceLink(s.generation_id) : '—'),
        ),
      ),
    );
    const topErrors = table(
      `Top error groups (${errors.total} errors)`,
      ['Count', 'Service', 'Message'],
      errors.groups
        .slice(0, 8)
        .map((g) =>
          el(
            'tr',
            {},
            el('td', { text: g.count }),
            el('td', { text: g.service }),
            el('td', {}, el('a', { href: report ? '#errors' : `/errors?q=${encodeURIComponent(g.message)}` }, g.message)),
          ),
        ),
    );
    const windows = el(
      'p',
      { class: 'window' },
      `Window ${time(w.since)} → ${w.until ? time(w.until) : `latest record ${time(w.latest)}`}. `,
      report
        ? null
        : el(
            'span',
            {},
            'Show the last ',
            ...['1h', '6h', '24h', '7d'].flatMap((s, i) => [i ? ', ' : '', el('a', { href: `/?since=${s}` }, s)]),
            ' of data.',
          ),
    );
    const parts = [windows, stats, el('div', { class: 'grid' }, rate, latency, hist), queueTable, slow, topErrors];
    return {
      parts,
      draw() {
        timeSeriesChart(rate, seconds, {
          unit: 'count',
          lines: [
            { label: 'generations', color: COLORS.gen, values: series.generations, bars: true },
            { label: 'errors', color: COLORS.err, values: series.errors },
          ],
        });
        timeSeriesChart(latency, seconds, {
          unit: 'ms',
          lines: [
            { label: 'p50', color: COLORS.p50, values: series.p50_ms, spanGaps: true },
            { label: 'p95', color: COLORS.p95, values: series.p95_ms, spanGaps: true },
          ],
        });
        const bins = view.histogram;
        drawChart(
          hist,
          {
            scales: { x: { time: false } },
            axes: [{ values: (u, vals) => vals.map((v) => ms(v)) }, {}],
            series: [
              { label: 'from', value: (u, v) => ms(v) },
              {
                label: 'generations',
                stroke: COLORS.bar,
                fill: `${COLORS.bar}88`,
                points: { show: false },
                paths: uPlot.paths.bars({ size: [0.95], align: 1 }),
              },
            ],
          },
          [bins.map((b) => b.from_ms), bins.map((b) => b.count)],
        );
      },
    };
  }

  function tile(label, value, id) {
    return el('div', { class: 'tile' }, el('dt', { text: label }), el('dd', { id, text: value }));
  }

  // ---- errors ----

  function sparkline(counts, label) {
    const width = 120;
    const height = 24;
    const max = Math.max(1, ...counts);
    const step = counts.length > 1 ? width / (counts.length - 1) : width;
    const points = counts.map((n, i) => `${(i * step).toFixed(1)},${(height - 2 - (n / max) * (height - 4)).toFixed(1)}`).join(' ');
    const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label, class: 'spark' });
    root.append(svg('polyline', { points, fill: 'none', stroke: COLORS.err, 'stroke-width': 1.5 }));
    return root;
  }

  function renderErrors(view, filter) {
    const needle = (filter || '').toLowerCase();
    const matches = (g) =>
      needle === '' ||
      [g.message, g.sample, g.service, g.event, g.error_code, ...(g.traceback || []), ...g.request_ids].some(
        (t) => t && String(t).toLowerCase().includes(needle),
      );
    const shown = view.errors.groups.map((g, i) => [g, view.sparklines[i] || []]).filter(([g]) => matches(g));
    const intro = el(
      'p',
      { class: 'window' },
      `${view.errors.total} errors in ${view.errors.groups.length} groups, ${time(view.window.since)} → ${view.window.until ? time(view.window.until) : time(view.window.latest)}`,
      needle ? el('span', {}, '; showing groups containing “', el('strong', { text: filter }), `”: ${shown.length}`) : null,
    );
    const rows = shown.map(([g, spark]) =>
      el(
        'tr',
        { class: 'group' },
        el('td', { class: 'num', text: g.count }),
        el('td', {}, el('span', { class: `level level-${String(g.level).toLowerCase()}`, text: g.level })),
        el(
          'td',
          {},
          el('span', { class: `svc ${SERVICE_CLASS[g.service] || 'svc-other'}`, text: g.service }),
          el('br'),
          el('small', { text: [g.event, g.error_code].filter(Boolean).join(' · ') }),
        ),
        el(
          'td',
          { class: 'message' },
          el('span', { class: 'msg', text: g.message }),
          g.sample !== g.message ? el('div', { class: 'sample' }, 'e.g. ', el('q', { text: g.sample })) : null,
          g.last_frame ? el('div', { class: 'frame' }, 'at ', el('code', { text: g.last_frame })) : null,
          g.traceback && g.traceback.length
            ? el(
                'details',
                {},
                el('summary', { text: `Traceback (${g.traceback.length} lines)` }),
                el('pre', { text: g.traceback.join('\n') }),
              )
            : null,
        ),
        el('td', {}, sparkline(spark, `${g.count} occurrences over the window`)),
        el('td', {}, el('small', { text: `first ${time(g.first_time)}` }), el('br'), el('small', { text: `last ${time(g.last_time)}` })),
        el(
          'td',
          {},
          el(
            'ul',
            { class: 'ids' },
            g.request_ids.map((id) => el('li', {}, traceLink(id, id.slice(0, 8)))),
          ),
        ),
      ),
    );
    return [
      intro,
      table('Error groups, most frequent first', ['Count', 'Level', 'Service', 'Message', 'Over time', 'Seen', 'Requests'], rows),
    ];
  }

  // ---- trace ----

  const STAGE_SERVICE = (name) =>
    name.startsWith('comfyui') ? 'comfyui' : name.startsWith('gpu') || name === 'image_transfer' ? 'gpu_server' : 'backend';
  /** Trace stage → perf statistic it is compared with. */
  const TYPICAL = {
    total: ['stages', 'backend_end_to_end'],
    gpu_round_trip: ['stages', 'gpu_round_trip'],
    comfyui: ['generation'],
    comfyui_queue_wait: ['stages', 'queue_wait'],
    comfyui_execution: ['stages', 'execution'],
    image_transfer: ['stages', 'image_transfer'],
  };

  function renderTrace(trace, index) {
    const t0 = trace.started_at ? Date.parse(trace.started_at) : 0;
    const lastEvent = trace.events.length ? Date.parse(trace.events[trace.events.length - 1].time) - t0 : 0;
    const span = Math.max(1, trace.duration_ms || 0, lastEvent, ...trace.stages.map((s) => s.start_ms + s.duration_ms));
    const pct = (v) => `${Math.max(0, Math.min(100, (v / span) * 100)).toFixed(3)}%`;
    const header = el(
      'dl',
      { class: 'trace-head' },
      el('dt', { text: 'Outcome' }),
      el('dd', {}, el('span', { class: `outcome outcome-${trace.outcome}`, 'data-outcome': trace.outcome, text: trace.outcome })),
      el('dt', { text: 'Total' }),
      el('dd', { class: 'total', text: ms(trace.duration_ms) }),
      el('dt', { text: 'Started' }),
      el('dd', { text: time(trace.started_at) }),
      el('dt', { text: 'request_id' }),
      el('dd', {}, el('code', { text: trace.request_id || '—' })),
      el('dt', { text: 'generation_id' }),
      el('dd', {}, el('code', { text: trace.generation_ids.join(', ') || '—' })),
      el('dt', { text: 'prompt_id' }),
      el('dd', {}, el('code', { text: trace.prompt_ids.join(', ') || '—' })),
    );
    const row = (label, cls, start, duration, note) => {
      const bar = el('span', { class: `bar ${cls}` });
      bar.style.left = pct(start);
      bar.style.width = `max(2px, ${pct(duration)})`;
      return el(
        'li',
        { class: 'wf-row' },
        el('span', { class: 'wf-label', text: label }),
        el('span', { class: 'wf-track' }, bar),
        el('span', { class: 'wf-value', text: note || ms(duration) }),
      );
    };
    const rows = [];
    for (const s of trace.stages) {
      const cls = s.name === 'comfyui_queue_wait' ? 'svc-queue' : SERVICE_CLASS[STAGE_SERVICE(s.name)];
      rows.push(row(s.label, cls, s.start_ms, s.duration_ms));
      if (s.name === 'comfyui_execution')
        for (const n of trace.nodes)
          rows.push(
            row(
              `node ${n.node_id} ${n.class_type}`,
              `svc-comfyui node${n.cached ? ' cached' : ''}`,
              n.start_ms,
              n.duration_ms,
              n.cached ? 'cached' : ms(n.duration_ms),
            ),
          );
    }
    // Point events: one row per service, a mark at each event's offset.
    const services = [...new Set(trace.events.map((e) => e.service))];
    for (const service of services) {
      const track = el('span', { class: 'wf-track' });
      for (const e of trace.events.filter((x) => x.service === service)) {
        const mark = el('span', { class: `mark ${SERVICE_CLASS[service] || 'svc-other'}`, title: `${e.event || ''} ${e.msg || ''}` });
        mark.style.left = pct(Date.parse(e.time) - t0);
        track.append(mark);
      }
      rows.push(
        el(
          'li',
          { class: 'wf-row events' },
          el('span', { class: 'wf-label', text: `${service} events` }),
          track,
          el('span', { class: 'wf-value', text: String(trace.events.filter((x) => x.service === service).length) }),
        ),
      );
    }
    const legend = el(
      'p',
      { class: 'legend' },
      ...['backend', 'gpu_server', 'comfyui'].map((s) => el('span', { class: `key ${SERVICE_CLASS[s]}`, text: s })),
      el('span', { class: 'key svc-queue', text: 'ComfyUI queue wait' }),
    );
    const waterfall = el(
      'ol',
      { class: 'waterfall', 'aria-label': 'Waterfall: stages, ComfyUI nodes and events by offset from the first event' },
      rows,
    );
    const events = table('Events and ComfyUI lines in time order', ['Offset', 'Service', 'Event', 'Message'], timeline(trace, t0));
    const typical = el(
      'div',
      { class: 'typical', 'data-for': index === undefined ? 'page' : String(index) },
      el('p', { class: 'loading', text: 'Loading the typical generation of the window…' }),
    );
    return [
      legend,
      header,
      el('h3', { text: 'Waterfall' }),
      waterfall,
      el('h3', { text: 'Compared with a typical generation' }),
      typical,
      el('h3', { text: 'Timeline' }),
      events,
    ];
  }

  function timeline(trace, t0) {
    const rows = [];
    const comfy = [...trace.comfyui];
    const comfyRow = (c) => {
      const lines = c.text.split('\n');
      const text =
        lines.length > 1
          ? el('details', {}, el('summary', { text: lines[0] }), el('pre', { text: lines.slice(1).join('\n') }))
          : el('span', { class: 'msg', text: c.text });
      return el(
        'tr',
        { class: 'comfy' },
        el('td', { text: c.time ? ms(Date.parse(c.time) - t0) : '—' }),
        el('td', {}, el('span', { class: 'svc svc-comfyui', text: 'comfyui.log' })),
        el('td', { text: `${c.kind} (by ${c.attribution})` }),
        el('td', {}, text),
      );
    };
    trace.events.forEach((e, i) => {
      while (comfy.length && comfy[0].before_event <= i) rows.push(comfyRow(comfy.shift()));
      const detail =
        e.error || e.stack
          ? el(
              'details',
              {},
              el('summary', { text: String(e.msg ?? '') }),
              el('pre', { text: [e.error, e.stack].filter(Boolean).join('\n') }),
            )
          : el('span', { class: 'msg', text: String(e.msg ?? '') });
      rows.push(
        el(
          'tr',
          {},
          el('td', { text: ms(Date.parse(e.time) - t0) }),
          el('td', {}, el('span', { class: `svc ${SERVICE_CLASS[e.service] || 'svc-other'}`, text: e.service })),
          el('td', { text: e.event || '' }),
          el('td', {}, detail),
        ),
      );
    });
    for (const c of comfy) rows.push(comfyRow(c));
    return rows;
  }

  function renderTypical(box, trace, perf) {
    const rows = trace.stages
      .filter((s) => TYPICAL[s.name])
      .map((s) => {
        const path = TYPICAL[s.name];
        const stats = path.length === 1 ? perf[path[0]] : perf[path[0]][path[1]];
        const p50 = stats ? stats.p50_ms : null;
        const ratio = p50 ? s.duration_ms / p50 : null;
        return el(
          'tr',
          {},
          el('th', { scope: 'row', text: s.label }),
          el('td', { text: ms(s.duration_ms) }),
          el('td', { text: ms(p50) }),
          el('td', { class: ratio !== null && ratio > 2 ? 'worse' : '', text: ratio === null ? '—' : `${ratio.toFixed(1)}×` }),
        );
      });
    box.replaceChildren(
      table(
        `Each stage beside its p50 over ${perf.generation.count} generations of the window`,
        ['Stage', 'This request', 'p50 (window)', 'Ratio'],
        rows,
      ),
    );
  }

  // ---- pages ----

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
    .then(() => document.body.setAttribute('data-ready', 'true'))
    .catch((error) => {
      showError(error.message || String(error));
      document.body.setAttribute('data-ready', 'error');
    });
})();
