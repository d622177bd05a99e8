import { closeSync, existsSync, fdatasync, fdatasyncSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

const MAGIC = 0x51554531; // "QUE1"

/**
 * The persisted read position of a queue: the offset of the first record not yet delivered.
 * 16 bytes rewritten in place (offset as two u32 halves, crc32 of them, a magic number), so a
 * reader that died mid-write finds either the old value or a checksum mismatch, never a wrong
 * offset it would trust.
 */
export class ReadOffsetFile {
  #fd: number;
  #buf = new Uint8Array(16);
  #view = new DataView(this.#buf.buffer);

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** Opens (creating) the file; `value` is the stored offset, or undefined when absent or damaged. */
  static open(path: string): { file: ReadOffsetFile; value: number | undefined } {
    const existed = existsSync(path);
    const fd = openSync(path, existed ? 'r+' : 'w+');
    const file = new ReadOffsetFile(fd);
    return { file, value: existed ? file.#read() : undefined };
  }

  #read(): number | undefined {
    if (readSync(this.#fd, this.#buf, 0, 16, 0) !== 16) return undefined;
    if (this.#view.getUint32(12, true) !== MAGIC) return undefined;
    if (crc32(this.#buf.subarray(0, 8)) !== this.#view.getUint32(8, true)) return undefined;
    return this.#view.getUint32(0, true) + this.#view.getUint32(4, true) * 2 ** 32;
  }

  /**
   * Stores an offset. The write reaches the page cache before this returns, which is what
   * survives the process being killed; `durable` also asks the disk (a power loss).
   */
  write(offset: number, durable: boolean): void {
    this.#store(offset);
    if (durable) fdatasyncSync(this.#fd);
  }

  /** write(offset, true) with the disk's part on libuv's thread pool; `done` runs when it is on disk (or failed). */
  writeInBackground(offset: number, done: (err: Error | null) => void): void {
    this.#store(offset);
    fdatasync(this.#fd, done);
  }

  #store(offset: number): void {
    this.#view.setUint32(0, offset % 2 ** 32, true);
    this.#view.setUint32(4, Math.floor(offset / 2 ** 32), true);
    this.#view.setUint32(8, crc32(this.#buf.subarray(0, 8)), true);
    this.#view.setUint32(12, MAGIC, true);
    writeSync(this.#fd, this.#buf, 0, 16, 0);
  }

  close(): void {
    closeSync(this.#fd);
  }
}
