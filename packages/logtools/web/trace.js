// A trace: header, waterfall (stages, ComfyUI nodes, events as marks), the timeline with ComfyUI lines, and each stage beside its p50.
(function (lt) {
  'use strict';

  const { SERVICE_CLASS, el, ms, time, table } = lt;

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
              `node ${n.node_id} ${n.class_type || ''}`.trim(),
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

  Object.assign(lt, { renderTrace, renderTypical });
})(globalThis.logtrace);
