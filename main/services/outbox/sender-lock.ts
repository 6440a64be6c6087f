// The outbox's sender lock as a lease. The lock file names its holder (PID, a random holder id,
// the computer) and when its right to send lapses; the holder renews it while it holds it. Anyone
// may take over a lapsed lease whatever its PID says: a PID can be reused by another program, and
// a killed process can linger as a zombie that kill(pid, 0) still finds.
//
// Taking over is race-free between processes: a taker first creates, exclusively, a claim file
// named after the lapsed holder, so of two takers of the same lease only one gets past it. A claim
// is itself a short lease: one left by a taker that died half-way is taken over the same way, by a
// claim named after that taker.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';

export interface SenderLockOptions {
  /** How long the right to send lasts without a renewal, in ms. */
  leaseMs?: number;
  /** How often the holder renews it, in ms; well under leaseMs, so one late renewal loses nothing. */
  renewMs?: number;
  /** Wall-clock time: leases are compared across processes. */
  now?: () => number;
}

export interface Lease {
  pid: number;
  holder: string;
  host: string;
  /** When the lease lapses, in ms since the epoch. */
  expires: number;
}

export type LockResult = { ok: true } | { ok: false; pid: number };

const LEASE_MS = 15_000;
const RENEW_MS = 5_000;
/** Claims left by takers that died half-way, followed one after another; more means outside meddling. */
const MAX_CLAIM_CHAIN = 8;

interface Seen {
  lease: Lease;
  /** Who this file speaks for: the holder id, or for a file without one, its identity on disk. */
  key: string;
}

export class SenderLock {
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly now: () => number;
  private readonly host = os.hostname();
  /** A fresh id per acquisition, so a claim on an old lease can never match a newer one. */
  private holder = '';
  private held = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly file: string,
    options: SenderLockOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? LEASE_MS;
    this.renewMs = options.renewMs ?? Math.min(RENEW_MS, Math.max(1, Math.floor(this.leaseMs / 3)));
    this.now = options.now ?? Date.now;
  }

  get isHeld(): boolean {
    return this.held;
  }

  tryLock(): LockResult {
    if (this.held) {
      if (this.read(this.file)?.key === this.holder) return { ok: true };
      // This process stalled past its lease (a suspended laptop, a blocked event loop) and another
      // took over: it no longer holds the lock, and must win it again like anyone else.
      this.release();
    }
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    let last: LockResult = { ok: false, pid: -1 };
    for (let attempt = 0; attempt < 5; attempt++) {
      const outcome = this.attempt();
      if (outcome !== 'again') return outcome;
      last = { ok: false, pid: this.read(this.file)?.lease.pid ?? -1 };
    }
    return last;
  }

  unlock(): void {
    const mine = this.held ? this.holder : null;
    this.release();
    if (mine === null) return;
    try {
      if (this.read(this.file)?.key === mine) fs.rmSync(this.file, { force: true });
    } catch {
      /* already gone */
    }
  }

  /** Writes this holder's lease anew, atomically (a whole file renamed over the old one). */
  renew(): void {
    if (!this.held) return;
    try {
      if (this.read(this.file)?.key !== this.holder) {
        this.release();
        return;
      }
      fs.renameSync(this.writeTemp(), this.file);
    } catch {
      /* a full or unreachable disk: the next renewal tries again, and the lease covers the gap */
    }
  }

  private attempt(): LockResult | 'again' {
    this.holder = randomUUID();
    const tmp = this.writeTemp();
    try {
      if (createFrom(tmp, this.file)) return this.hold();
      const current = this.read(this.file);
      if (!current) return 'again';
      if (!this.lapsed(current.lease)) return { ok: false, pid: current.lease.pid };

      const chain: string[] = [];
      let key = current.key;
      for (let depth = 0; depth < MAX_CLAIM_CHAIN; depth++) {
        const claim = this.claimFile(key);
        if (createFrom(tmp, claim)) {
          chain.push(claim);
          // Only this process may take over from `key` now; make sure the lease is still the lapsed
          // one it saw (its holder may have woken up and renewed, or another taker finished first).
          const again = this.read(this.file);
          if (!again || again.key !== current.key || !this.lapsed(again.lease)) {
            removeAll(chain.slice(-1));
            return again && !this.lapsed(again.lease) ? { ok: false, pid: again.lease.pid } : 'again';
          }
          fs.renameSync(tmp, this.file);
          removeAll(chain);
          return this.hold();
        }
        const claimed = this.read(claim);
        if (!claimed) return 'again';
        if (!this.lapsed(claimed.lease)) return { ok: false, pid: claimed.lease.pid };
        chain.push(claim);
        key = claimed.key;
      }
      return { ok: false, pid: current.lease.pid };
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  private hold(): LockResult {
    this.held = true;
    this.timer ??= setInterval(() => this.renew(), this.renewMs);
    // Renewing must never keep a finished command alive.
    this.timer.unref();
    return { ok: true };
  }

  private release(): void {
    this.held = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private lapsed(lease: Lease): boolean {
    if (this.now() >= lease.expires) return true;
    // Shortcut for a holder on this computer that is gone (ESRCH): it can never renew. A PID that
    // still answers proves nothing (reused, or a zombie), so then only the expiry counts.
    return lease.host === this.host && lease.pid > 0 && lease.pid !== process.pid && !isAlive(lease.pid);
  }

  private writeTemp(): string {
    const tmp = `${this.file}.${this.holder}.tmp`;
    const lease: Lease = { pid: process.pid, holder: this.holder, host: this.host, expires: this.now() + this.leaseMs };
    fs.writeFileSync(tmp, JSON.stringify(lease), { mode: 0o600 });
    return tmp;
  }

  private claimFile(key: string): string {
    const safe = /^[A-Za-z0-9-]{1,64}$/.test(key) ? key : createHash('sha256').update(key).digest('hex').slice(0, 32);
    return `${this.file}.${safe}.claim`;
  }

  /** The lease a lock or claim file holds, or null when there is no such file. */
  private read(file: string): Seen | null {
    let text: string;
    let stat: fs.Stats;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        stat = fs.fstatSync(fd);
        text = fs.readFileSync(fd, 'utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const lease = parseLease(text);
    if (lease) return { lease, key: lease.holder };
    // A lock from an earlier Mailroom (a bare PID) or a damaged file: it lasts one lease from
    // when it was written, and is known by its identity on disk.
    const pid = /^\s*\d+\s*$/.test(text) ? Number(text) : -1;
    return {
      lease: { pid, holder: '', host: this.host, expires: stat.mtimeMs + this.leaseMs },
      key: `file-${stat.ino}-${Math.round(stat.mtimeMs)}`,
    };
  }
}

export function parseLease(text: string): Lease | null {
  try {
    const v = JSON.parse(text) as Partial<Lease> | null;
    if (
      v &&
      typeof v === 'object' &&
      Number.isInteger(v.pid) &&
      typeof v.holder === 'string' &&
      v.holder !== '' &&
      typeof v.host === 'string' &&
      typeof v.expires === 'number' &&
      Number.isFinite(v.expires)
    )
      return { pid: v.pid as number, holder: v.holder, host: v.host, expires: v.expires };
  } catch {
    /* not a lease */
  }
  return null;
}

/**
 * Creates `target` with the contents of `source` only if it does not exist yet, all at once:
 * a hard link never shows a half-written file. Where links are not supported (some network
 * shares), an exclusive create and write does the same with a brief half-written moment.
 */
function createFrom(source: string, target: string): boolean {
  try {
    fs.linkSync(source, target);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV' && code !== 'EOPNOTSUPP') throw error;
  }
  try {
    fs.writeFileSync(target, fs.readFileSync(source), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function removeAll(files: string[]): void {
  for (const f of files) fs.rmSync(f, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
