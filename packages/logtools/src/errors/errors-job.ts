import type { Level } from '@logtrace/shared/schema';
import type { ScanJob, UnitSink } from '../engine/scan-job.js';
import { createLevelPrefilter } from '../read/prefilter.js';
import type { JsonLineSink } from '../read/read-json-lines.js';
import { recordHost } from '../core/record-host.js';
import { ErrorGrouper, matchesErrorFilter, matchesHostFilter, type ErrorFilter, type MutableGroup } from './error-grouper.js';

/** What an errors scan reads: an ErrorFilter as plain data. */
export interface ErrorsSpec {
  readonly minLevel: Level;
  readonly services: readonly string[] | undefined;
  readonly hosts?: readonly string[] | undefined;
  readonly window: ErrorFilter['window'];
  readonly strict: boolean;
  /** Keep tracebacks whole (`--full`). */
  readonly full?: boolean | undefined;
  /** Zone of times written without one (JobSpec). */
  readonly timeZone?: string | undefined;
}

/** `logtrace errors`' reading: the error groups of each unit. */
export const errorsJob: ScanJob<ErrorsSpec, MutableGroup[]> = {
  kind: 'errors',
  prefilter: (spec) => createLevelPrefilter(spec.minLevel),
  createSink(spec, unit) {
    const grouper = new ErrorGrouper(spec.window, spec.full === true);
    return { ...errorSink(grouper, errorFilterOf(spec), unit.service, unit.host), toParts: () => grouper.toParts() } satisfies UnitSink<
      MutableGroup[]
    >;
  },
};

/** The ErrorFilter of an errors spec. */
export function errorFilterOf(spec: ErrorsSpec): ErrorFilter {
  return {
    minLevel: spec.minLevel,
    services: spec.services === undefined ? undefined : new Set(spec.services),
    hosts: spec.hosts === undefined ? undefined : new Set(spec.hosts),
    window: spec.window,
  };
}

/** Groups the errors among parsed lines, reading only the fields errors needs; `host` is the unit's (ScanUnit). */
export function errorSink(grouper: ErrorGrouper, filter: ErrorFilter, service: string, host: string | undefined): JsonLineSink {
  return {
    fast(line) {
      const level = line.level() ?? 'DEBUG';
      const lineService = line.service(service);
      const time = line.time() ?? 0;
      if (!matchesErrorFilter({ level, service: lineService, time }, filter)) return;
      const lineHost = line.host(host);
      if (!matchesHostFilter(lineHost, filter)) return;
      // A literal, not a spread: V8 copies spread objects on a slow path.
      grouper.addRecord({
        level,
        service: lineService,
        time,
        event: line.str('event'),
        error_code: line.str('error_code'),
        error: line.error(),
        error_type: line.errorType(),
        stack: line.stack(),
        msg: line.msg(),
        request_id: line.str('request_id'),
        host: lineHost,
      });
    },
    record(record) {
      if (!matchesErrorFilter(record, filter)) return;
      const recordsHost = recordHost(record.extra, host);
      if (matchesHostFilter(recordsHost, filter)) grouper.addRecord({ ...record, host: recordsHost });
    },
  };
}
