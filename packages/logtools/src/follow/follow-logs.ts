import { readdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { parseLogName } from '../read/parse-log-name.js';
import { FileTail, type TailStart } from './file-tail.js';
import type { FollowPlan } from './plan-follow.js';
import { LiveAttribution } from './live-attribution.js';
import { LiveSource, type FollowItem, type LiveSourceKind } from './live-source.js';
import { STARTUP_LOG } from './plan-follow.js';
import { ReorderWindow } from './reorder-window.js';

/** How follow mode watches the logs. */
export interface FollowSettings {
  /** Reorder window, ms: how long a line is held so that lines of other files written at the same time come out in time order. */
  readonly windowMs: number;
  /** Poll interval, ms, when fs.watch reports changes (a safety net for file systems that do not notify). */
  readonly pollMs: number;
  /** Use fs.watch (else poll every FALLBACK_POLL_MS at most). */
  readonly watch: boolean;
}

/** Poll interval when fs.watch is off or fails, ms. */
export const FALLBACK_POLL_MS = 250;
/** Events from fs.watch are gathered this long before reading, ms (a busy log changes thousands of times a second). */
const WAKE_DELAY_MS = 10;

/** What follow mode calls. */
export interface FollowHooks {
  /** Lines and entries, in time order within the reorder window; ComfyUI entries carry the ids they were attributed to. */
  items(items: readonly FollowItem[]): void;
  /** Rotation, truncation, new and deleted files. */
  note(text: string): void;
  /** Called after each round of reading, with the time; returns when it wants to be called next (epoch ms), if sooner. */
  tick?(now: number): number | undefined;
}

/** One followed path: its tail and its reader. */
interface Followed {
  readonly tail: FileTail;
  readonly source: LiveSource;
}

/**
 * Follows logs until `signal` is aborted: every file of the plan and, in a directory,
 * every live `*.log` created later; reads on fs.watch events (gathered for 10 ms) and
 * every `pollMs` anyway; merges what it reads by time through a ReorderWindow; ends
 * open ComfyUI blocks after `windowMs` without a line; attributes ComfyUI entries as
 * they leave the window. `history` (read before following) goes through the same
 * window, due at once. At the end, what the window holds is handed on, files are
 * closed and the stats of every followed file are returned.
 */
export class LogFollower {
  private readonly followed = new Map<string, Followed>();
  private readonly window: ReorderWindow<FollowItem>;
  private readonly attribution = new LiveAttribution();
  private readonly watchers: FSWatcher[] = [];
  private wake: (() => void) | undefined;
  private woken = false;
  /** A name in the directory was created, removed or renamed since the last listing (or notifications are off). */
  private namesChanged = true;
  private listedAt = -Infinity;

  constructor(
    private readonly plan: FollowPlan,
    private readonly settings: FollowSettings,
    private readonly hooks: FollowHooks,
    private readonly now: () => number,
  ) {
    this.window = new ReorderWindow(settings.windowMs);
  }

  /** Takes a line read before following (history): it goes out in time order with the first release. */
  pushHistory(item: FollowItem): void {
    if (item.record !== undefined) this.attribution.observe(item.record);
    this.window.push(item, item.time, -Infinity);
  }

  /** Follows until `signal` aborts; returns the FileStats of the followed files. */
  async run(signal: AbortSignal): Promise<LiveSource['stats'][]> {
    const start = this.now();
    for (const file of this.plan.files) this.add(file.path, file, file.start, start);
    const watching = this.settings.watch && this.startWatching();
    const pollMs = watching ? this.settings.pollMs : Math.min(this.settings.pollMs, FALLBACK_POLL_MS);
    const abort = () => this.wake?.();
    signal.addEventListener('abort', abort);
    try {
      while (!signal.aborted) {
        const now = this.now();
        let next = Math.min(now + pollMs, this.round(now) ?? Infinity);
        for (const due of [this.window.nextDue(), ...[...this.followed.values()].map((f) => f.source.idleDue(this.settings.windowMs))]) {
          if (due !== undefined && due < next) next = due;
        }
        // A consumer may have ended it during the round (trace -f at response_sent).
        if (signal.aborted) break;
        await this.sleep(Math.max(0, next - this.now()));
      }
    } finally {
      signal.removeEventListener('abort', abort);
      for (const w of this.watchers) w.close();
    }
    return this.stop();
  }

  /** Reads every file, scans the directory for new ones, releases what is due. */
  private round(now: number): number | undefined {
    // The directory is listed when fs.watch saw a name change, else once per poll interval.
    if (this.plan.dirs.length > 0 && (this.namesChanged || now - this.listedAt >= this.settings.pollMs)) {
      this.namesChanged = this.watchers.length === 0;
      this.listedAt = now;
      for (const { dir, host } of this.plan.dirs) this.scanDirectory(dir, host, now);
    }
    for (const { tail, source } of this.followed.values()) {
      try {
        tail.poll(now);
      } catch (error) {
        this.hooks.note(`${tail.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      source.flushIdle(now, this.settings.windowMs);
    }
    this.hand(this.window.release(now));
    return this.hooks.tick?.(now);
  }

  private stop(): LiveSource['stats'][] {
    for (const { tail, source } of this.followed.values()) {
      tail.close();
      source.end();
    }
    this.hand(this.window.drain());
    return [...this.followed.values()].map((f) => f.source.stats);
  }

  private hand(items: readonly FollowItem[]): void {
    if (items.length === 0) return;
    for (const item of items) {
      if (item.entry === undefined) continue;
      const found = this.attribution.attribute(item.entry);
      if (found !== undefined) Object.assign(item.fields, found.ids, { attribution: found.attribution });
    }
    this.hooks.items(items);
  }

  private add(filePath: string, kind: LiveSourceKind, start: TailStart, now: number): void {
    const name = path.basename(filePath);
    const source = new LiveSource(kind, filePath, this.plan.zones, (item) => {
      if (item.record !== undefined) this.attribution.observe(item.record);
      this.window.push(item, item.time, this.now());
    });
    const tail = new FileTail(
      filePath,
      name,
      {
        block: (block, file) => source.block(block, file, this.now()),
        oversized: (line, head) => source.oversized(line, head),
        note: (text) => this.hooks.note(text),
      },
      start,
      now,
    );
    this.followed.set(filePath, { tail, source });
  }

  /** Follows `*.log` files that appeared in the directory since the last look (from their start). */
  private scanDirectory(dir: string, host: string | undefined, now: number): void {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const entry of names) {
      const filePath = path.join(dir, entry);
      if (this.followed.has(filePath) || this.plan.skip.has(filePath)) continue;
      const name = parseLogName(entry);
      if (name === undefined || name.gz || name.age !== Number.MAX_SAFE_INTEGER || name.base === STARTUP_LOG) continue;
      this.hooks.note(`${entry} appeared: following it from its start`);
      this.add(filePath, { kind: name.kind, service: name.base, host }, { at: 'start' }, now);
    }
  }

  /** Watches the directories of the followed files; false when fs.watch is not available. */
  private startWatching(): boolean {
    const dirs = new Set(this.plan.dirs.length > 0 ? this.plan.dirs.map((d) => d.dir) : this.plan.files.map((f) => path.dirname(f.path)));
    try {
      for (const dir of dirs) {
        const watcher = watch(dir, { persistent: false }, (eventType) => this.onChange(eventType));
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      }
      return true;
    } catch {
      for (const w of this.watchers) w.close();
      this.watchers.length = 0;
      return false;
    }
  }

  private onChange(eventType: string): void {
    if (eventType === 'rename') this.namesChanged = true;
    if (this.woken) return;
    this.woken = true;
    setTimeout(() => this.wake?.(), WAKE_DELAY_MS).unref();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(this: void): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        this.woken = false;
        done();
      };
    });
  }
}
