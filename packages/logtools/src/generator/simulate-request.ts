import { EVENT_CATALOG, isEventName, type Level } from '@logtrace/shared/schema';
import { REQUEST_ERROR_LINES, executedLine, executionFailure, progressBar, rejection } from './comfyui-text.js';
import type { Random } from './create-random.js';
import type { LogEvent } from './format-record.js';
import { planExecution, SAMPLER_NODE, type ExecutionPlan } from './plan-execution.js';
import {
  SCENARIO_WEIGHTS,
  SIM,
  type ComfyuiState,
  type Scenario,
  type SimComfyuiIssue,
  type SimComfyuiLine,
  type SimEvent,
  type SimRequest,
} from './scenarios.js';
import { completionFields, websocketEvents } from './websocket-events.js';

/** The node each execution failure of comfyui-text.ts raises in. */
const FAILING_NODE = { save_outside: '9', bad_image: '8', oom: '3' } as const;

/**
 * Simulates one request arriving at the backend at `t0`: the backend, the GPU
 * server and ComfyUI's single worker, with every event at its time, node by node
 * when the GPU server reads ComfyUI's websocket. Requests must be simulated in
 * arrival order (the ComfyUI queue is FIFO by POST time).
 */
export function simulateRequest(t0: number, rng: Random, comfyui: ComfyuiState, forced?: Scenario): SimRequest {
  const requestId = rng.uuid();
  const scenario = forced ?? rng.weighted(SCENARIO_WEIGHTS);
  const events: SimEvent[] = [];
  const lines: SimComfyuiLine[] = [];
  const issues: SimComfyuiIssue[] = [];
  let generationId: string | undefined;
  let promptId: string | undefined;
  const emit = (
    channel: SimEvent['channel'],
    event: string,
    time: number,
    fields: Readonly<Record<string, unknown>>,
    options: { level?: Level; template?: string; detached?: boolean } = {},
  ) => {
    const spec = isEventName(event) ? EVENT_CATALOG[event] : undefined;
    const ids: Record<string, unknown> = options.detached === true ? {} : { request_id: requestId };
    if (channel === 'gpu_server' && generationId !== undefined && options.detached !== true) ids['generation_id'] = generationId;
    if (channel === 'gpu_server' && promptId !== undefined && options.detached !== true) ids['prompt_id'] = promptId;
    const level = options.level ?? spec?.level ?? 'INFO';
    const ev: LogEvent = { time, level, service: channel, event, msg: spec?.msg ?? event, fields: { ...ids, ...fields } };
    events.push({
      channel,
      event: ev,
      ...(options.template === undefined ? {} : { template: options.template }),
      ...(options.detached === true ? { detached: true } : {}),
    });
  };
  const comfy = (time: number, raw: readonly string[], text: readonly string[] = raw) => {
    raw.forEach((r, i) => lines.push({ time, raw: r, text: text[i] ?? r }));
  };
  const respond = (time: number, status: number) => emit('backend', 'response_sent', time, { status, duration_ms: time - t0 });
  // A caller may shorten the backend's deadline (X-Request-Timeout-Ms).
  const deadlineMs = scenario === 'short_deadline' ? rng.int(3000, 8000) : SIM.backendTimeoutMs;
  const clientGone = t0 + 1 + deadlineMs;
  const backendTimeout = () => {
    emit(
      'backend',
      'timeout_error',
      clientGone,
      {
        timeout_ms: deadlineMs,
        duration_ms: deadlineMs,
        error_code: 'gpu_timeout',
        error: `GPU server did not answer within ${deadlineMs} ms`,
      },
      { template: 'gpu_timeout' },
    );
    respond(clientGone + 1, 504);
  };
  /** The GPU server answers `status` at `time`; the backend logs it unless it gave up first. */
  const gpuAnswers = (time: number, status: number, image?: number) => {
    if (time > clientGone) return backendTimeout();
    if (status === 200) {
      emit('backend', 'gpu_response', time + 1, {
        generation_id: generationId,
        status,
        duration_ms: time + 1 - (t0 + 1),
        image_bytes: image,
      });
      return respond(time + 3, 200);
    }
    emit(
      'backend',
      'gpu_response',
      time + 1,
      {
        generation_id: generationId,
        status,
        duration_ms: time + 1 - (t0 + 1),
        error_code: 'gpu_http_error',
        error: `GPU server answered HTTP ${status}`,
      },
      { level: 'ERROR', template: 'gpu_http_error' },
    );
    return respond(time + 3, 502);
  };
  const done = (): SimRequest => ({ requestId, generationId, promptId, scenario, events, comfyui: lines, issues });

  const promptChars = rng.int(5, 400);
  const steps = rng.pick([20, 25, 30]);
  emit('backend', 'generate_request', t0, {
    prompt_chars: promptChars,
    width: 1024,
    height: 1024,
    steps,
    client_ip: `10.0.${rng.int(0, 9)}.${rng.int(1, 250)}`,
  });
  if (scenario === 'validation_error') {
    emit('backend', 'validation_error', t0 + 1, { errors: [{ field: 'prompt', message: 'must not be empty' }], status: 400 });
    respond(t0 + 2, 400);
    return done();
  }
  emit('backend', 'gpu_request', t0 + 1, { gpu_url: 'http://127.0.0.1:8002/generate', timeout_ms: deadlineMs });
  if (scenario === 'gpu_unreachable') {
    emit(
      'backend',
      'gpu_error',
      t0 + 2,
      { error_code: 'ECONNREFUSED', error: 'connect ECONNREFUSED 127.0.0.1:8002', duration_ms: 1 },
      { template: 'ECONNREFUSED' },
    );
    respond(t0 + 3, 502);
    return done();
  }
  generationId = rng.uuid();
  const g0 = t0 + 3;
  const workflow = rng.pick(['txt2img-sdxl', 'txt2img-sd15', 'portrait-v2']);
  emit('gpu_server', 'generation_start', g0, { workflow });
  if (scenario === 'workflow_error') {
    const missing = rng.pick(['txt2img-missing', 'upscale-4x']);
    emit(
      'gpu_server',
      'error_workflow',
      g0 + 1,
      { workflow: missing, error_code: 'workflow_not_found', error: `workflow "${missing}" not found in /workspace/workflows` },
      { template: `workflow_not_found:${missing}` },
    );
    gpuAnswers(g0 + 2, 500);
    return done();
  }
  emit('gpu_server', 'workflow_loaded', g0 + 2, { workflow, node_count: rng.int(7, 12) });
  const post = Math.max(g0 + 3, comfyui.lastPost + 5);
  comfyui.lastPost = post;
  if (scenario === 'comfyui_unreachable') {
    emit(
      'gpu_server',
      'error_comfyui',
      post + 2,
      { error_code: 'ECONNREFUSED', error: 'connect ECONNREFUSED 127.0.0.1:8188' },
      { template: 'ECONNREFUSED' },
    );
    gpuAnswers(post + 3, 502);
    return done();
  }
  comfy(post + 1, ['got prompt']);
  comfyui.counter++;
  if (scenario === 'comfyui_invalid') {
    const r = rejection(rng.pick(['failed_validation', 'no_outputs'] as const));
    comfy(post + 2, r.lines);
    issues.push({ time: post + 2, event: 'invalid_prompt', type: r.type, level: 'ERROR' });
    emit(
      'gpu_server',
      'error_comfyui',
      post + 3,
      { status: 400, error_code: 'prompt_invalid', error: `ComfyUI rejected the prompt: ${r.message}`, node_errors: {} },
      { template: `prompt_invalid:${r.type}` },
    );
    gpuAnswers(post + 4, 502);
    return done();
  }
  if (scenario === 'comfyui_500') {
    comfy(post + 2, REQUEST_ERROR_LINES);
    issues.push({ time: post + 2, event: 'request_error', type: 'json.decoder.JSONDecodeError', level: 'ERROR' });
    emit(
      'gpu_server',
      'error_comfyui',
      post + 3,
      { status: 500, error_code: 'comfyui_http_500', error: 'ComfyUI answered HTTP 500 on POST /prompt' },
      { template: 'comfyui_http_500' },
    );
    gpuAnswers(post + 4, 502);
    return done();
  }
  promptId = rng.uuid();
  const sent = post + 3;
  emit('gpu_server', 'comfyui_prompt_sent', sent, { queue_number: comfyui.counter - 1 });

  const execMs = Math.round(
    scenario === 'slow'
      ? rng.int(60_000, 85_000)
      : scenario === 'polling_timeout'
        ? rng.int(92_000, 110_000)
        : scenario === 'execution_error'
          ? rng.int(100, 3000)
          : scenario === 'interrupted'
            ? rng.int(1000, 8000)
            : Math.min(45_000, Math.max(800, rng.logNormal(4000, 0.5))),
  );
  const start = Math.max(sent, comfyui.workerFreeAt);
  const end = start + execMs;
  /** ComfyUI starts the prompt: what each node does (its cache holds the last prompt's nodes). */
  const plan = (totalMs: number, lastNode?: string): ExecutionPlan => {
    const planned = planExecution(rng, {
      start,
      totalMs,
      repeat: comfyui.lastWorkflow === workflow,
      steps,
      ...(lastNode === undefined ? {} : { lastNode }),
    });
    comfyui.lastWorkflow = workflow;
    return planned;
  };
  /** The GPU server logs the websocket's messages about the prompt until `until` (exclusive). */
  const logWebsocket = (planned: ExecutionPlan, until: number, raised?: string) => {
    if (!comfyui.websocket) return;
    for (const e of websocketEvents(planned, { sent, until, ...(raised === undefined ? {} : { raised }) }))
      emit('gpu_server', e.event, e.time, e.fields);
  };
  /** The node running at `time`, as error_comfyui names it. */
  const nodeAt = (planned: ExecutionPlan, time: number) => {
    const run = planned.runs.find((r) => !r.cached && r.start <= time && time < r.start + r.duration_ms);
    return run === undefined ? {} : { node_id: run.node_id, node_type: run.class_type };
  };
  const giveUpAttempt = Math.floor(SIM.comfyuiTimeoutMs / SIM.pollMs);
  const gpuDeadline = sent + giveUpAttempt * SIM.pollMs;
  const detectedAt = sent + Math.ceil((end + 1 - sent) / SIM.pollMs) * SIM.pollMs;
  if (clientGone < Math.min(detectedAt, gpuDeadline)) return giveUp(clientGone, 'client_closed_request');
  if (detectedAt > gpuDeadline) return giveUp(gpuDeadline, 'comfyui_timeout');
  if (scenario === 'execution_error') {
    const kind = rng.pick(['save_outside', 'bad_image', 'oom'] as const);
    const failure = executionFailure(kind, rng);
    const planned = plan(execMs, FAILING_NODE[kind]);
    logWebsocket(planned, end, FAILING_NODE[kind]);
    comfy(end - 1, failure.lines);
    issues.push({ time: end - 1, event: 'exception', type: failure.type, level: 'ERROR' });
    comfy(end, [executedLine(end - start)]);
    comfyui.workerFreeAt = end + 1;
    return pollUntilDone(
      'comfyui_execution_error',
      `${failure.type}: ${failure.message}`,
      `execution:${failure.type}`,
      nodeAt(planned, end - 1),
    );
  }
  if (scenario === 'interrupted') {
    // It would have run twice as long: the interrupt lands in the middle of it.
    const planned = plan(2 * execMs);
    logWebsocket(planned, end - 1);
    comfy(end - 20, [`Interrupting prompt ${promptId}`]);
    comfy(end - 1, ['Processing interrupted']);
    issues.push({ time: end - 1, event: 'interrupted', type: null, level: 'WARN' });
    comfy(end, [executedLine(end - start)]);
    comfyui.workerFreeAt = end + 1;
    return pollUntilDone('comfyui_interrupted', `prompt ${promptId} was interrupted`, 'interrupted', nodeAt(planned, end - 1));
  }
  const planned = plan(execMs);
  const lostAt = scenario === 'ws_lost' ? start + rng.int(1, execMs - 1) : undefined;
  logWebsocket(planned, lostAt ?? Infinity);
  if (lostAt !== undefined && comfyui.websocket) {
    emit(
      'gpu_server',
      'comfyui_ws_lost',
      lostAt,
      { error: 'read ECONNRESET', error_code: 'ECONNRESET', in_flight: 1 },
      { template: 'ws_lost', detached: true },
    );
  }
  if (rng.chance(0.5)) comfy(start + 5, ['Requested to load SDXL', 'loaded completely 9.5367431640625e+25 4897.0483474731445 True']);
  const sampler = planned.runs.find((r) => r.node_id === SAMPLER_NODE);
  const bar = progressBar(steps, (sampler?.duration_ms ?? execMs) / 1000);
  comfy(end - 2, [bar.raw], [bar.final]);
  comfy(end, [executedLine(execMs)]);
  comfyui.workerFreeAt = end + 1;
  return pollUntilDone(undefined, '', '', comfyui.websocket ? completionFields(planned, sent, end, lostAt) : {});

  /**
   * The GPU server gave up at `at` (its own deadline, or its caller went away): like
   * the real one it takes the prompt out of ComfyUI's queue if it has not started (it
   * then never runs), or interrupts it.
   */
  function giveUp(at: number, code: 'comfyui_timeout' | 'client_closed_request'): SimRequest {
    for (let k = 10; sent + k * SIM.pollMs < at; k += 10) {
      emit('gpu_server', 'comfyui_polling', sent + k * SIM.pollMs, { attempt: k, elapsed_ms: k * SIM.pollMs });
    }
    const running = start <= at;
    if (running) {
      const planned = plan(execMs);
      // polling_timeout: ComfyUI hangs as the sampler starts.
      const hang = scenario === 'polling_timeout' ? planned.runs.find((r) => r.node_id === SAMPLER_NODE)?.start : undefined;
      const silentFrom = hang !== undefined && hang < at ? hang + 1 : at;
      logWebsocket(planned, silentFrom);
      const hungNode = planned.runs.find((r) => !r.cached && r.start <= silentFrom - 1 && silentFrom - 1 < r.start + r.duration_ms);
      if (comfyui.websocket && silentFrom < at && silentFrom - 1 + SIM.stallMs < at) {
        const node = hungNode === undefined ? {} : { node_id: hungNode.node_id, class_type: hungNode.class_type };
        emit('gpu_server', 'comfyui_stalled', silentFrom - 1 + SIM.stallMs, { idle_ms: SIM.stallMs, ...node }, { template: 'stalled' });
      }
      if (start + 5 < at) comfy(start + 5, ['Requested to load SDXL']);
      comfy(at + 2, [`Interrupting prompt ${promptId}`]);
      comfy(at + 4, ['Processing interrupted']);
      issues.push({ time: at + 4, event: 'interrupted', type: null, level: 'WARN' });
      comfy(at + 5, [executedLine(at + 5 - start)]);
      comfyui.workerFreeAt = at + 6;
    }
    const cancel = { comfyui_cancel: running ? 'interrupted' : 'dequeued' };
    if (code === 'client_closed_request') {
      backendTimeout();
      emit(
        'gpu_server',
        'error_comfyui',
        at + 3,
        { error_code: code, error: 'GET /history: cancelled because the caller went away', ...cancel },
        { template: code },
      );
      return done();
    }
    const fields = {
      error_code: code,
      error: `ComfyUI did not finish within ${SIM.comfyuiTimeoutMs} ms`,
      timeout_ms: SIM.comfyuiTimeoutMs,
      elapsed_ms: at - sent,
    };
    emit('gpu_server', 'error_comfyui', at + 3, { ...fields, ...cancel }, { template: code });
    gpuAnswers(at + 4, 504);
    return done();
  }

  /** The GPU server polls /history until the outputs are ready or a failure shows. */
  function pollUntilDone(
    errorCode: string | undefined,
    error: string,
    template: string,
    extra: Readonly<Record<string, unknown>>,
  ): SimRequest {
    const attempts = Math.ceil((end + 1 - sent) / SIM.pollMs);
    for (let k = 10; k < attempts; k += 10) {
      emit('gpu_server', 'comfyui_polling', sent + k * SIM.pollMs, { attempt: k, elapsed_ms: k * SIM.pollMs });
    }
    const detected = sent + attempts * SIM.pollMs;
    if (errorCode !== undefined) {
      emit('gpu_server', 'error_comfyui', detected + 1, { error_code: errorCode, error, ...extra }, { template });
      gpuAnswers(detected + 2, 502);
      return done();
    }
    emit('gpu_server', 'comfyui_complete', detected, { duration_ms: detected - sent, attempts, ...extra });
    // In backend_timeout the image fetch hangs past the backend's deadline.
    const transfer = scenario === 'backend_timeout' ? deadlineMs : Math.round(Math.min(3000, Math.max(15, rng.logNormal(120, 0.6))));
    if (detected + transfer + 2 > clientGone) {
      backendTimeout();
      emit(
        'gpu_server',
        'error_comfyui',
        clientGone + 2,
        { error_code: 'client_closed_request', error: 'GET /view: cancelled because the caller went away', comfyui_cancel: 'not_queued' },
        { template: 'client_closed_request' },
      );
      return done();
    }
    const size = rng.int(900_000, 2_400_000);
    emit('gpu_server', 'image_retrieved', detected + transfer, {
      filename: `ComfyUI_${String(comfyui.counter).padStart(5, '0')}_.png`,
      size_bytes: size,
      duration_ms: transfer,
    });
    gpuAnswers(detected + transfer + 2, 200, size);
    return done();
  }
}
