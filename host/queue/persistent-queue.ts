import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, statSync, truncateSync, unlinkSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { DirLock } from './dir-lock.js';
import { ReadOffsetFile } from './read-offset.js';
import { readRecordAt, recordHeader, validPrefixLength } from './record-format.js';
import { listSegments, segmentPath, syncDir } from './segments.js';

/**
 * When appended bytes are forced to the disk. `always`: before append() returns (survives a power
 * loss); `interval`: when the owner calls sync() on its timer; `never`: left to the OS. All three
 * survive the process being killed, since append() has written to the page cache by then.
 */
export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface QueueOptions {
  /** A segment is closed and a new one started past this size. Default 32 MiB. */
  segmentBytes?: number;
  /** Bytes on disk past which whole oldest segments are dropped; 0 means unbounded. */
  maxBytes?: number;
  fsync?: FsyncPolicy;
  /** Called for every record dropped unread to keep within maxBytes, so the owner can count it. */
  onDrop?(payload: Uint8Array): void;
  /** Called when a damaged stretch of a segment is skipped (bytes that were not a valid record). */
  onCorrupt?(offset: number, bytes: number): void;
}

/** A record read from the queue; commit `end` once it is delivered. */
export interface QueueEntry {
  offset: number;
  end: number;
  payload: Uint8Array;
}

export interface RecoveryReport {
  /** Bytes cut from the tail of the last segment: a record torn by a crash. */
  truncatedBytes: number;
  /** The persisted read offset was missing, damaged or outside the data, and was reset. */
  offsetReset: boolean;
}

/** Most bytes of appended records kept in memory for a reader that keeps up. */
const TAIL_BYTES = 16 << 20;

/**
 * A persistent FIFO of byte records: append-only segment files of checksummed, length-prefixed
 * records, a separately persisted read offset, rotation into new segments and deletion of
 * segments once everything in them is delivered. Offsets are byte positions in the queue's
 * whole history, so a segment's name tells where it sits.
 *
 * One owner at a time: a lock file refuses a second opener, in this process or another.
 * Everything is synchronous: an append has reached the file (and, with `fsync: always`, the disk)
 * when it returns, which is the moment a sink may acknowledge the data upstream.
 */
export class PersistentQueue {
  readonly dir: string;
  readonly recovery: RecoveryReport;
  #segmentBytes: number;
  #maxBytes: number;
  #fsync: FsyncPolicy;
  #onDrop: (payload: Uint8Array) => void;
  #onCorrupt: (offset: number, bytes: number) => void;
  #segments: number[];
  #writeFd: number;
  #writeEnd: number;
  #committed: number;
  #cursor: number;
  #readFd: number | undefined;
  #readStart = -1;
  #offsetFile: ReadOffsetFile;
  #dirty = false;
  /** A syncInBackground() is on the thread pool. */
  #syncing = false;
  #closed = false;
  #lock: DirLock;
  /**
   * The latest appended records not yet handed out, in order and contiguous, up to TAIL_BYTES: a
   * reader that keeps up gets them from here instead of reading the file back (a read, a CRC
   * check and a buffer per record). `#tailHead` is the first of them still pending.
   */
  #tail: QueueEntry[] = [];
  #tailHead = 0;
  #tailBytes = 0;

  constructor(dir: string, opts: QueueOptions = {}) {
    this.dir = dir;
    this.#segmentBytes = opts.segmentBytes ?? 32 << 20;
    this.#maxBytes = opts.maxBytes ?? 0;
    this.#fsync = opts.fsync ?? 'interval';
    this.#onDrop = opts.onDrop ?? (() => undefined);
    this.#onCorrupt = opts.onCorrupt ?? (() => undefined);
    mkdirSync(dir, { recursive: true });
    this.#lock = DirLock.acquire(dir);
    const { file, value } = ReadOffsetFile.open(join(dir, 'read-offset'));
    this.#offsetFile = file;
    this.#segments = listSegments(dir);
    let truncatedBytes = 0;
    if (this.#segments.length === 0) {
      this.#segments.push(value ?? 0);
      this.#writeEnd = value ?? 0;
    } else {
      const last = this.#segments.at(-1)!;
      const path = segmentPath(dir, last);
      const valid = validPrefixLength(path);
      truncatedBytes = statSync(path).size - valid;
      if (truncatedBytes > 0) truncateSync(path, valid);
      this.#writeEnd = last + valid;
    }
    const first = this.#segments[0]!;
    let committed = value ?? first;
    const offsetReset = value === undefined || committed < first || committed > this.#writeEnd;
    committed = Math.min(Math.max(committed, first), this.#writeEnd);
    this.#committed = committed;
    this.#cursor = committed;
    this.#writeFd = openSync(segmentPath(dir, this.#segments.at(-1)!), 'a');
    this.#offsetFile.write(committed, false);
    this.#deleteDelivered();
    this.recovery = { truncatedBytes, offsetReset: offsetReset && this.#writeEnd > first };
  }

  /** Bytes held on disk, delivered or not, in segments not yet deleted. */
  get diskBytes(): number {
    return this.#writeEnd - this.#segments[0]!;
  }

  /** Bytes not yet delivered (committed). */
  get pendingBytes(): number {
    return this.#writeEnd - this.#committed;
  }

  /** Bytes not yet handed out by next(). */
  get unreadBytes(): number {
    return this.#writeEnd - this.#cursor;
  }

  get committedOffset(): number {
    return this.#committed;
  }

  get segmentCount(): number {
    return this.#segments.length;
  }

  /**
   * Appends one record; it is in the file when this returns. The queue may keep `payload` itself
   * for next() to hand out, so it must not be changed afterwards.
   */
  append(payload: Uint8Array): void {
    if (this.#closed) throw new Error(`BUG: append to closed queue ${this.dir}`);
    const size = 8 + payload.length;
    const used = this.#writeEnd - this.#segments.at(-1)!;
    if (used > 0 && used + size > this.#segmentBytes) this.#rotate();
    let written = 0;
    try {
      written = writevSync(this.#writeFd, [recordHeader(payload), payload]);
      if (written !== size) throw new Error(`short write to queue ${this.dir}: ${written} of ${size} bytes`);
    } catch (err) {
      // A full disk can leave part of the record behind; cut it, or later appends would land
      // after a damaged record and be skipped with it.
      try {
        ftruncateSync(this.#writeFd, this.#writeEnd - this.#segments.at(-1)!);
      } catch {
        // Recovery cuts the torn tail on the next open in any case.
      }
      throw err;
    }
    this.#keepInTail({ offset: this.#writeEnd, end: this.#writeEnd + size, payload });
    this.#writeEnd += size;
    if (this.#fsync === 'always') fdatasyncSync(this.#writeFd);
    else this.#dirty = true;
    this.#enforceLimit();
  }

  #keepInTail(entry: QueueEntry): void {
    const last = this.#tail.at(-1);
    const contiguous = this.#tailHead === this.#tail.length || last!.end === entry.offset;
    if (!contiguous || this.#tailBytes + entry.payload.length > TAIL_BYTES) return;
    if (this.#tailHead === this.#tail.length) {
      this.#tail = [];
      this.#tailHead = 0;
    }
    this.#tail.push(entry);
    this.#tailBytes += entry.payload.length;
  }

  /** The record at the read cursor if the tail holds it; drops tail records the cursor has passed. */
  #fromTail(): QueueEntry | undefined {
    while (this.#tailHead < this.#tail.length) {
      const e = this.#tail[this.#tailHead]!;
      if (e.offset > this.#cursor) return undefined;
      this.#tailHead++;
      this.#tailBytes -= e.payload.length;
      // A reader that stays a little behind never empties the tail: let go of what it has read.
      if (this.#tailHead >= 1024 && this.#tailHead * 2 >= this.#tail.length) {
        this.#tail = this.#tail.slice(this.#tailHead);
        this.#tailHead = 0;
      }
      if (e.offset === this.#cursor) {
        this.#cursor = e.end;
        return e;
      }
    }
    return undefined;
  }

  /** The next unread record, or undefined when everything appended has been handed out. */
  next(): QueueEntry | undefined {
    const kept = this.#fromTail();
    if (kept) return kept;
    while (this.#cursor < this.#writeEnd) {
      const i = this.#segmentIndexOf(this.#cursor);
      const start = this.#segments[i]!;
      const end = this.#segments[i + 1] ?? this.#writeEnd;
      if (this.#cursor >= end) {
        this.#cursor = end;
        continue;
      }
      const r = readRecordAt(this.#readFdFor(start), this.#cursor - start, end - start);
      if (!r) {
        // Damage inside a segment (not a torn tail, which recovery already cut): skip to the next.
        this.#onCorrupt(this.#cursor, end - this.#cursor);
        this.#cursor = end;
        continue;
      }
      const entry = { offset: this.#cursor, end: this.#cursor + r.size, payload: r.payload };
      this.#cursor = entry.end;
      return entry;
    }
    return undefined;
  }

  /** Marks everything before `end` delivered: persists the read offset and deletes spent segments. */
  commit(end: number): void {
    if (end <= this.#committed) return;
    this.#committed = Math.min(end, this.#writeEnd);
    this.#offsetFile.write(this.#committed, this.#fsync === 'always');
    this.#deleteDelivered();
  }

  /** Hands out the undelivered records again from the committed offset (after a sender restarts). */
  rewind(): void {
    this.#cursor = this.#committed;
  }

  /** Forces appended data and the read offset to the disk, if anything changed since the last sync. */
  sync(): void {
    // A background sync in flight may not have reached the disk yet: it counts as a change.
    if ((!this.#dirty && !this.#syncing) || this.#closed) return;
    fdatasyncSync(this.#writeFd);
    this.#offsetFile.write(this.#committed, true);
    this.#dirty = false;
  }

  /**
   * sync() without blocking the event loop, for the periodic fsync: fdatasync runs on libuv's
   * thread pool while appends go on (what is appended after it starts waits for the next one),
   * then the read offset is stored and synced the same way. One at a time; sync() and close()
   * stay synchronous, for shutdown. A failed sync leaves the queue dirty, to be tried again.
   */
  syncInBackground(): void {
    if (!this.#dirty || this.#syncing || this.#closed) return;
    this.#syncing = true;
    this.#dirty = false;
    const finished = (err: Error | null) => {
      this.#syncing = false;
      // A segment rotated meanwhile was synced when it was closed; anything else is tried again.
      if (err && !this.#closed) this.#dirty = true;
    };
    fdatasync(this.#writeFd, (err) => {
      if (err || this.#closed) return finished(err);
      this.#offsetFile.writeInBackground(this.#committed, finished);
    });
  }

  close(): void {
    if (this.#closed) return;
    if (this.#fsync !== 'never') this.sync();
    this.#closed = true;
    this.#tail = [];
    this.#tailHead = 0;
    this.#tailBytes = 0;
    closeSync(this.#writeFd);
    if (this.#readFd !== undefined) closeSync(this.#readFd);
    this.#offsetFile.close();
    this.#lock.release();
  }

  #rotate(): void {
    if (this.#fsync !== 'never') fdatasyncSync(this.#writeFd);
    closeSync(this.#writeFd);
    this.#segments.push(this.#writeEnd);
    this.#writeFd = openSync(segmentPath(this.dir, this.#writeEnd), 'a');
    if (this.#fsync !== 'never') syncDir(this.dir);
  }

  #enforceLimit(): void {
    while (this.#maxBytes > 0 && this.diskBytes > this.#maxBytes && this.#segments.length > 1) {
      const start = this.#segments[0]!;
      const end = this.#segments[1]!;
      // Records already handed out are in a sender's hands and still count as pending there.
      let pos = Math.max(this.#cursor, start);
      const fd = this.#readFdFor(start);
      while (pos < end) {
        const r = readRecordAt(fd, pos - start, end - start);
        if (!r) break;
        this.#onDrop(r.payload);
        pos += r.size;
      }
      this.#unlinkSegment(start);
      if (this.#cursor < end) this.#cursor = end;
      if (this.#committed < end) {
        this.#committed = end;
        this.#offsetFile.write(end, this.#fsync === 'always');
      }
    }
  }

  #deleteDelivered(): void {
    while (this.#segments.length > 1 && this.#segments[1]! <= this.#committed) this.#unlinkSegment(this.#segments[0]!);
  }

  #unlinkSegment(start: number): void {
    if (this.#readStart === start && this.#readFd !== undefined) {
      closeSync(this.#readFd);
      this.#readFd = undefined;
      this.#readStart = -1;
    }
    unlinkSync(segmentPath(this.dir, start));
    this.#segments.shift();
  }

  #segmentIndexOf(offset: number): number {
    let i = this.#segments.length - 1;
    while (i > 0 && this.#segments[i]! > offset) i--;
    return i;
  }

  #readFdFor(start: number): number {
    if (this.#readStart !== start || this.#readFd === undefined) {
      if (this.#readFd !== undefined) closeSync(this.#readFd);
      this.#readFd = openSync(segmentPath(this.dir, start), 'r');
      this.#readStart = start;
    }
    return this.#readFd;
  }
}
