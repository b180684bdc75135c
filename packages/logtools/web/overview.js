// The overview: tiles, the three charts, queue wait vs execution, the slowest generations, the top error groups.
(function (lt) {
  'use strict';

  const { report, COLORS, el, ms, time, traceLink, table, chartBox, drawChart, timeSeriesChart } = lt;

  function renderOverview(view) {
    const { perf, errors, series, window: w } = view;
    const seconds = series.start.map((t) => t / 1000);
    const stats = el(
      'dl',
      { class: 'tiles' },
      tile('Generations', perf.generation.count, 'gen-count'),
      tile('p50', ms(perf.generation.p50_ms), 'gen-p50'),
      tile('p95', ms(perf.generation.p95_ms), 'gen-p95'),
      tile('Requests', perf.stages.backend_end_to_end.count, 'request-count'),
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
      `The ${perf.slow.items.length} slowest of ${perf.generation.count} generations`,
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
    const input = perf.input;
    const unreadable = input.by_file.filter((f) => f.error !== null);
    const read = el(
      'p',
      { class: 'window', id: 'input-note' },
      `Read ${input.files} files, ${input.lines} lines`,
      input.skipped > 0 ? `; ${input.skipped} unusable lines skipped (logtrace perf says why)` : '',
      unreadable.length > 0 ? el('strong', { text: `; could not read ${unreadable.map((f) => `${f.path}: ${f.error}`).join(', ')}` }) : '',
      '.',
    );
    const parts = [windows, read, stats, el('div', { class: 'grid' }, rate, latency, hist), queueTable, slow, topErrors];
    return {
      parts,
      draw() {
        timeSeriesChart(rate, seconds, w.slot_ms / 1000, {
          unit: 'count',
          lines: [
            { label: 'generations', color: COLORS.gen, values: series.generations, bars: true },
            { label: 'errors', color: COLORS.err, values: series.errors },
          ],
        });
        timeSeriesChart(latency, seconds, w.slot_ms / 1000, {
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

  Object.assign(lt, { renderOverview });
})(globalThis.logtrace);
