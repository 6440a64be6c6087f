// An append-only journal with group commit: records handed in while one fsync runs are written
// and flushed together by the next, so durability costs one fsync per burst, not per record.
import fs from 'node:fs';

export class Journal {
  private fd: number;
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;
  private closed = false;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'a+', 0o600);
    // A crash mid-append can leave a torn last line; end it so the next record starts clean.
    const size = fs.fstatSync(this.fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(this.fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) fs.writeSync(this.fd, '\n');
    }
  }

  /** Every complete line in the file, oldest first; a torn last line (a crash mid-write) is skipped. */
  static read(file: string): unknown[] {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: unknown[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        /* a torn line from a crash mid-append: everything before it stands */
      }
    }
    return out;
  }

  /** Resolves once the records are on disk. */
  append(records: readonly unknown[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The outbox journal is closed'));
    for (const r of records) this.pending.push(JSON.stringify(r) + '\n');
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const data = this.pending.join('');
        const waiters = this.waiters;
        this.pending = [];
        this.waiters = [];
        try {
          fs.writeSync(this.fd, data);
          await new Promise<void>((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
          waiters.forEach((w) => w.resolve());
        } catch (error) {
          waiters.forEach((w) => w.reject(error));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Replaces the journal with these records (compaction), atomically. */
  rewrite(records: readonly unknown[]): void {
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, records.map((r) => JSON.stringify(r) + '\n').join(''));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.closeSync(this.fd);
    fs.renameSync(tmp, this.file);
    this.fd = fs.openSync(this.file, 'a', 0o600);
  }

  async close(): Promise<void> {
    while (this.flushing || this.pending.length > 0) await new Promise((r) => setTimeout(r, 1));
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
