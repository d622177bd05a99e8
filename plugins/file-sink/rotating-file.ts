import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/**
 * A file appended to that rotates by size, as logrotate would: `path` → `path.1` → ... →
 * `path.<keep>`, the oldest removed. Or standard output when the path is `-`.
 */
export class RotatingFile {
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  #fd: number | undefined;
  #size = 0;

  constructor(path: string, maxBytes: number, keep: number) {
    this.#path = path;
    this.#maxBytes = maxBytes;
    this.#keep = keep;
  }

  async write(text: string): Promise<void> {
    if (this.#path === '-') {
      // Through the stream, not writeSync(1): a piped stdout is non-blocking and would fail with EAGAIN.
      await new Promise<void>((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
      return;
    }
    const bytes = Buffer.from(text);
    if (this.#fd === undefined) this.#open();
    if (this.#maxBytes > 0 && this.#size > 0 && this.#size + bytes.length > this.#maxBytes) this.#rotate();
    writeSync(this.#fd!, bytes);
    this.#size += bytes.length;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #open(): void {
    this.#fd = openSync(this.#path, 'a');
    this.#size = fstatSync(this.#fd).size;
  }

  #rotate(): void {
    this.close();
    if (this.#keep === 0) rmSync(this.#path, { force: true });
    else {
      for (let i = this.#keep - 1; i >= 1; i--) if (existsSync(`${this.#path}.${i}`)) renameSync(`${this.#path}.${i}`, `${this.#path}.${i + 1}`);
      renameSync(this.#path, `${this.#path}.1`);
    }
    this.#open();
  }
}
