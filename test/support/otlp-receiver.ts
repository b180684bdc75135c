// An OTLP/HTTP trace receiver for tests, on 127.0.0.1: it decodes what arrives with the
// official opentelemetry-proto definitions (the protobufjs root generated from them,
// shipped by @opentelemetry/otlp-transformer 0.57) or by the OTLP/JSON rules (ids as
// hex, 64-bit integers as decimal strings, enums as integers), checking those rules, and
// can answer slowly or with 500 to play a collector in trouble.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';

/** One received span, in one shape whichever encoding brought it. */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** opentelemetry-proto Span.SpanKind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Record<string, string | number | boolean>;
  /** Status.StatusCode: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string | undefined };
  readonly events: ReadonlyArray<{ name: string; timeNs: bigint; attributes: Record<string, string | number | boolean> }>;
}

/** How the receiver answers. */
export type ReceiverMode = { kind: 'ok' } | { kind: 'fail'; status: number } | { kind: 'slow'; delayMs: number };

/** A running receiver. */
export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:4318`: the exporters add `/v1/traces`. */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** Content types of the requests received, in order. */
  readonly contentTypes: string[];
  /** Why requests could not be decoded (answered 400): a test expects none. */
  readonly errors: string[];
  /** Export requests received (answered or not). */
  requests(): number;
  setMode(mode: ReceiverMode): void;
  close(): Promise<void>;
}

type Proto = { decode(bytes: Uint8Array): unknown; toObject(message: unknown, options: object): any };

const require = createRequire(import.meta.url);
const ROOT = require('otlp-proto-root/build/src/generated/root.js') as any;
const EXPORT_REQUEST: Proto = ROOT.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** Starts a receiver on 127.0.0.1, port 0. */
export async function startOtlpReceiver(mode: ReceiverMode = { kind: 'ok' }): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const errors: string[] = [];
  let count = 0;
  let current = mode;
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req, res) => {
    count += 1;
    void (async () => {
      const body = await readBody(req);
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      contentTypes.push(type);
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      if (current.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, (current as { delayMs: number }).delayMs));
      if (current.kind === 'fail') {
        res.writeHead(current.status, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      spans.push(...(type === 'application/x-protobuf' ? decodeProtobuf(body) : decodeOtlpJson(JSON.parse(body.toString('utf8')))));
      res.writeHead(200, { 'content-type': type === 'application/x-protobuf' ? 'application/x-protobuf' : 'application/json' });
      res.end(type === 'application/x-protobuf' ? Buffer.alloc(0) : '{}');
    })().catch((err: unknown) => {
      errors.push(String(err));
      res.writeHead(400).end(String(err));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    errors,
    requests: () => count,
    setMode: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Decodes an `ExportTraceServiceRequest` in protobuf binary with the official definitions. */
export function decodeProtobuf(bytes: Uint8Array): ReceivedSpan[] {
  const message = EXPORT_REQUEST.toObject(EXPORT_REQUEST.decode(bytes), { longs: String, enums: Number, bytes: Array, defaults: false });
  const hex = (value: unknown): string | undefined =>
    Array.isArray(value) && value.length > 0 ? Buffer.from(value as number[]).toString('hex') : undefined;
  const value = (v: any): string | number | boolean => {
    if ('stringValue' in v) return v.stringValue;
    if ('boolValue' in v) return v.boolValue;
    if ('intValue' in v) return Number(v.intValue);
    if ('doubleValue' in v) return v.doubleValue;
    throw new Error(`unexpected attribute value ${JSON.stringify(v)}`);
  };
  return collect(message, { hex, value, nanos: (v) => BigInt(typeof v === 'string' || typeof v === 'number' ? v : 0) });
}

/**
 * Decodes OTLP/JSON after checking its rules: trace and span ids lower-case hex of the
 * right length, kind and status code integers, 64-bit integers (times, intValue) as
 * decimal strings — or, as the protobuf JSON mapping lets a decoder accept and the
 * JS SDK's JSON exporter sends for intValue, as numbers unless `strings` is set.
 */
export function decodeOtlpJson(message: unknown, options: { strings?: boolean } = {}): ReceivedSpan[] {
  const decimal = (v: unknown): v is string | number =>
    (typeof v === 'string' && /^-?\d+$/.test(v)) || (options.strings !== true && typeof v === 'number' && Number.isSafeInteger(v));
  const hex = (v: unknown): string | undefined => {
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string' || !/^[0-9a-f]+$/.test(v) || (v.length !== 32 && v.length !== 16))
      throw new Error(`not a hex id: ${JSON.stringify(v)}`);
    return v;
  };
  const value = (v: any): string | number | boolean => {
    if ('stringValue' in v) return v.stringValue;
    if ('boolValue' in v) return v.boolValue;
    if ('intValue' in v) {
      if (!decimal(v.intValue)) throw new Error(`intValue not a decimal string: ${JSON.stringify(v)}`);
      return Number(v.intValue);
    }
    if ('doubleValue' in v) return v.doubleValue;
    throw new Error(`unexpected attribute value ${JSON.stringify(v)}`);
  };
  const nanos = (v: unknown): bigint => {
    if (!decimal(v)) throw new Error(`a time must be a decimal string of nanoseconds, got ${JSON.stringify(v)}`);
    return BigInt(v);
  };
  return collect(message, { hex, value, nanos });
}

interface Codec {
  hex(value: unknown): string | undefined;
  value(value: any): string | number | boolean;
  nanos(value: unknown): bigint;
}

function collect(message: any, codec: Codec): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  const attrs = (list: any[] | undefined) => Object.fromEntries((list ?? []).map((a) => [a.key as string, codec.value(a.value)]));
  for (const resourceSpans of message.resourceSpans ?? []) {
    const service = String(attrs(resourceSpans.resource?.attributes)['service.name'] ?? '');
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        if (typeof span.kind !== 'number') throw new Error(`kind must be an integer, got ${JSON.stringify(span.kind)}`);
        out.push({
          service,
          traceId: codec.hex(span.traceId) ?? '',
          spanId: codec.hex(span.spanId) ?? '',
          parentSpanId: codec.hex(span.parentSpanId),
          name: span.name,
          kind: span.kind,
          startNs: codec.nanos(span.startTimeUnixNano),
          endNs: codec.nanos(span.endTimeUnixNano),
          attributes: attrs(span.attributes),
          status: { code: span.status?.code ?? 0, message: span.status?.message || undefined },
          events: (span.events ?? []).map((e: any) => ({
            name: e.name,
            timeNs: codec.nanos(e.timeUnixNano),
            attributes: attrs(e.attributes),
          })),
        });
      }
    }
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
