// Writing an export file: buffered synchronous writes to a temporary file beside the target, renamed
// into place only when complete — a failed export leaves nothing half-written (CONVENTIONS).
import fs from 'node:fs';
import path from 'node:path';

export class FileSink {
  readonly tmp: string;
  private fd: number;
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes written so far (flushed or buffered). */
  position = 0;

  constructor(readonly target: string, private readonly flushAt = 1 << 20) {
    this.tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    this.fd = fs.openSync(this.tmp, 'w');
  }

  write(b: Buffer | string): void {
    const buf = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
    this.chunks.push(buf);
    this.size += buf.length;
    this.position += buf.length;
    if (this.size >= this.flushAt) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    let off = 0;
    while (off < all.length) off += fs.writeSync(this.fd, all, off, all.length - off);
    this.chunks = [];
    this.size = 0;
  }

  /** Overwrites bytes at `at` (already flushed) — e.g. a case count known only at the end. */
  patch(at: number, b: Buffer): void {
    this.flush();
    fs.writeSync(this.fd, b, 0, b.length, at);
  }

  /** Flushes, syncs and renames the file into place. */
  commit(): void {
    this.flush();
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    fs.renameSync(this.tmp, this.target);
  }

  /** Closes and deletes the temporary file. */
  abort(): void {
    try { fs.closeSync(this.fd); } catch { /* already closed */ }
    fs.rmSync(this.tmp, { force: true });
  }
}

/** Runs `fn` with a sink for `target`; commits on success, removes the temporary file on failure. */
export async function withSink<T>(target: string, fn: (sink: FileSink) => Promise<T> | T): Promise<T> {
  const sink = new FileSink(target);
  try {
    const out = await fn(sink);
    sink.commit();
    return out;
  } catch (err) {
    sink.abort();
    throw err;
  }
}
