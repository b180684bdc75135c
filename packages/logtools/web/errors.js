// The error groups: counts, a sparkline each (SVG), first/last seen, sample requests, tracebacks; filtered by the search text.
(function (lt) {
  'use strict';

  const { SERVICE_CLASS, COLORS, el, svg, time, traceLink, table } = lt;

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

  Object.assign(lt, { renderErrors });
})(globalThis.logtrace);
