import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { LineBlocker, type LineBlock } from '../read/line-blocker.js';
import { describeFsError } from '../read/list-inputs.js';

/** Bytes read from a followed file at a time. */
const READ_BYTES = 1024 * 1024;
/** Bytes at the start of a file compared on each read to see that it was not rewritten from 0 (copytruncate). */
const HEAD_BYTES = 64;
/** How long a file renamed away or deleted is still read after its last growth, ms (its writer may not have reopened yet). */
export const RETIRE_AFTER_MS = 2000;

/** Receives what a FileTail reads and sees. */
export interface FileTailSink {
  /** Whole lines of one open file (`file` numbers the files the path has named, from 0). */
  block(block: LineBlock, file: number): void;
  /** A line over the cap was dropped. */
  oversized(line: number, head: Buffer, file: number): void;
  /** Something the user should know: rotated, truncated, deleted, unreadable. */
  note(text: string): void;
}

/** Where a FileTail starts: at the end (only lines written from now on), at the start, or on a file already open. */
export type TailStart =
  | { readonly at: 'end' }
  | { readonly at: 'start' }
  /** A descriptor listInputs opened (not closed here), read on from `position` (rounded back to a line start). */
  | { readonly at: 'open'; readonly fd: number; readonly position: number }
  /** The file at the path, from `position` (rounded back to a line start): listed without a descriptor to spare. */
  | { readonly at: 'position'; readonly position: number };

/** One open file the path named. */
interface Handle {
  readonly fd: number;
  readonly owned: boolean;
  readonly dev: number;
  readonly ino: number;
  readonly index: number;
  readonly blocker: LineBlocker;
  position: number;
  head: Buffer;
  /** When it stopped being the path's file (renamed away or deleted), epoch ms. */
  retiredAt: number | undefined;
  lastGrowth: number;
}

/**
 * Follows one log file by its path, like `tail -F`: reads what is appended; when the
 * path names another file (rotation by rename and create, `.1` then `.gz`), reads the
 * old one to its end for RETIRE_AFTER_MS more (the writer may still be writing to it)
 * and the new one from its start; when the file shrinks or its first bytes change
 * (copytruncate), reads it again from 0 and says so; a deleted file is read to its end
 * and closed. Lines are whole: a torn last line waits for its `\n` (a UTF-8 character
 * split across reads waits with it, the splitter cuts at `\n` only); a renamed-away
 * file's unterminated last line is given when it is let go. Synchronous: call poll().
 */
export class FileTail {
  private current: Handle | undefined;
  private readonly retired: Handle[] = [];
  private files = 0;
  /** The path's file went away (renamed or deleted): a file there later is a rotation's new file. */
  private gone = false;
  private openFailed = false;
  private readonly buffer = Buffer.allocUnsafe(READ_BYTES);

  constructor(
    /** The path followed. */
    readonly path: string,
    /** Its name in notes. */
    readonly name: string,
    private readonly sink: FileTailSink,
    start: TailStart,
    now: number,
  ) {
    if (start.at === 'open') {
      const info = fstatSync(start.fd);
      this.current = this.handle(start.fd, false, info, lineStartBefore(start.fd, Math.min(start.position, info.size)), now);
    } else if (start.at === 'position') {
      if (this.open('start', now) && this.current !== undefined) {
        this.current.position = lineStartBefore(this.current.fd, Math.min(start.position, fstatSync(this.current.fd).size));
      }
    } else {
      this.open(start.at, now);
    }
  }

  /** True while a file is open (the path's, or one renamed away still being read). */
  get active(): boolean {
    return this.current !== undefined || this.retired.length > 0;
  }

  /** Reads what is new, checking the path for rotation, truncation and deletion first. */
  poll(now: number): void {
    const cur = this.current;
    let info: Stats | undefined;
    try {
      info = statSync(this.path);
    } catch {
      info = undefined;
    }
    if (cur !== undefined && (info === undefined || info.ino !== cur.ino || info.dev !== cur.dev)) {
      this.read(cur, now);
      cur.retiredAt = now;
      this.retired.push(cur);
      this.current = undefined;
      this.gone = true;
    }
    if (this.current === undefined && info !== undefined && info.isFile()) {
      if (this.open('start', now) && this.gone) this.sink.note(`${this.name} was rotated: following the new file from its start`);
      this.gone = false;
    }
    for (const old of [...this.retired]) {
      this.read(old, now);
      if (now - Math.max(old.lastGrowth, old.retiredAt ?? now) >= RETIRE_AFTER_MS) {
        this.letGo(old);
        if (this.current === undefined) this.sink.note(`${this.name} was deleted (or renamed away and not created again): read to its end`);
      }
    }
    if (this.current !== undefined) this.read(this.current, now);
  }

  /** Closes every file; unterminated last lines of renamed-away files are given, the live file's is not (it may be torn). */
  close(): void {
    for (const old of [...this.retired]) this.letGo(old);
    if (this.current !== undefined && this.current.owned) closeSync(this.current.fd);
    this.current = undefined;
  }

  private open(at: 'start' | 'end', now: number): boolean {
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
      // Said once; it is tried again on each look (permissions may be fixed).
      if (!this.openFailed) this.sink.note(`${this.name} cannot be read (${describeFsError(error)}): trying again`);
      this.openFailed = true;
      return false;
    }
    this.openFailed = false;
    const info = fstatSync(fd);
    if (!info.isFile()) {
      closeSync(fd);
      return false;
    }
    this.current = this.handle(fd, true, info, at === 'start' ? 0 : lineStartBefore(fd, info.size), now);
    return true;
  }

  private handle(fd: number, owned: boolean, info: Stats, position: number, now: number): Handle {
    const index = this.files++;
    const blocker = new LineBlocker({
      block: (block) => this.sink.block(block, index),
      oversized: (line, head) => this.sink.oversized(line, head, index),
    });
    return { fd, owned, dev: info.dev, ino: info.ino, index, blocker, position, head: readHead(fd), retiredAt: undefined, lastGrowth: now };
  }

  /** Reads a file from its position to its end; a file shorter than that, or with other first bytes, was truncated. */
  private read(handle: Handle, now: number): void {
    let h = handle;
    let size: number;
    try {
      size = fstatSync(h.fd).size;
    } catch {
      return;
    }
    if (size < h.position || (h.head.length > 0 && size > h.position && !readHead(h.fd).subarray(0, h.head.length).equals(h.head))) {
      this.sink.note(`${this.name} was truncated (copytruncate?): reading it again from the start`);
      h = this.restart(h);
    }
    while (h.position < size) {
      const n = readSync(h.fd, this.buffer, 0, Math.min(READ_BYTES, size - h.position), h.position);
      if (n === 0) break;
      h.position += n;
      h.lastGrowth = now;
      if (h.head.length < HEAD_BYTES) h.head = readHead(h.fd);
      h.blocker.push(this.buffer.subarray(0, n));
    }
  }

  /** After a truncation: from 0 again, with the unfinished line of the old content dropped. */
  private restart(h: Handle): Handle {
    const fresh = this.handle(h.fd, h.owned, fstatSync(h.fd), 0, h.lastGrowth);
    fresh.retiredAt = h.retiredAt;
    if (this.current === h) this.current = fresh;
    else this.retired.splice(this.retired.indexOf(h), 1, fresh);
    return fresh;
  }

  private letGo(h: Handle): void {
    h.blocker.end();
    if (h.owned) closeSync(h.fd);
    const index = this.retired.indexOf(h);
    if (index !== -1) this.retired.splice(index, 1);
  }
}

/** The first HEAD_BYTES of a file (fewer when it is shorter). */
function readHead(fd: number): Buffer {
  const head = Buffer.alloc(HEAD_BYTES);
  const n = readSync(fd, head, 0, HEAD_BYTES, 0);
  return head.subarray(0, n);
}

/** The start of the line `position` is in (just after the last `\n` before it), so a torn line is read whole later. */
function lineStartBefore(fd: number, position: number): number {
  const chunk = Buffer.allocUnsafe(64 * 1024);
  let end = position;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const nl = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (nl !== -1) return start + nl + 1;
    end = start;
  }
  return 0;
}
