import { encodeOtlpJson, mapTraceSpans, type SpanSpec } from '@logtrace/shared/otel';
import type { ScanHandler } from '../cli/define-scan-command.js';
import { describeInput, writeJson } from '../cli/command-context.js';
import { optionalString } from '../cli/common-options.js';
import { UsageError } from '../logtrace-error.js';
import { escapeTerminal } from '../render/escape-terminal.js';
import { collectExportRecords } from './collect-export-records.js';
import { parseOtlpHeaders, sendOtlp, tracesUrl, type OtlpTarget } from './send-otlp.js';

/** Spans per export request at most (the Collector's default limits take far more; a smaller body fails alone). */
export const SPANS_PER_REQUEST = 1000;

/** `logtrace export`: scan the window → group by request → map to spans → POST in batches → counts. */
export const exportHandler: ScanHandler<{ endpoint: string | undefined; timeoutMs: number }> = {
  prepare(args) {
    const timeout = args['otlp-timeout'];
    if (typeof timeout !== 'number' || !Number.isSafeInteger(timeout) || timeout < 1 || timeout > 600_000) {
      throw new UsageError('--otlp-timeout: expected milliseconds from 1 to 600000');
    }
    return { endpoint: optionalString(args, 'otlp-endpoint'), timeoutMs: timeout };
  },
  async run(ctx, { endpoint, timeoutMs }, io) {
    const target = targetOf(endpoint ?? io.env['OTEL_EXPORTER_OTLP_ENDPOINT'], io.env, timeoutMs);
    const groups = await collectExportRecords(
      ctx.inputs,
      { strict: ctx.common.strict, window: ctx.window, threads: ctx.threads },
      ctx.stats,
    );
    let batch: SpanSpec[] = [];
    let spans = 0;
    let requests = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await sendOtlp(target, encodeOtlpJson(batch));
      spans += batch.length;
      requests += 1;
      batch = [];
    };
    for (const records of groups.values()) {
      batch.push(...mapTraceSpans(records));
      if (batch.length >= SPANS_PER_REQUEST) await flush();
    }
    await flush();
    const report = { endpoint: target.url, traces: groups.size, spans, requests };
    if (ctx.common.json) writeJson(io, { ...report, input: describeInput(ctx) });
    else
      io.stdout.write(
        `exported ${groups.size} ${groups.size === 1 ? 'trace' : 'traces'} (${spans} spans, ${requests} requests) to ${escapeTerminal(target.url)}\n`,
      );
    return groups.size > 0;
  },
};

function targetOf(endpoint: string | undefined, env: Readonly<Record<string, string | undefined>>, timeoutMs: number): OtlpTarget {
  if (endpoint === undefined || endpoint.trim() === '')
    throw new UsageError('export: give --otlp-endpoint URL (or set OTEL_EXPORTER_OTLP_ENDPOINT)');
  const url = tracesUrl(endpoint.trim());
  if ('problem' in url) throw new UsageError(url.problem);
  const { headers, problems } = parseOtlpHeaders(env['OTEL_EXPORTER_OTLP_TRACES_HEADERS'] ?? env['OTEL_EXPORTER_OTLP_HEADERS']);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return { url: url.url, headers, timeoutMs };
}
