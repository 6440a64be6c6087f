// The outbox's sender lock is a lease: a sender that dies, however it dies, hands over when its
// lease lapses, whatever its PID says; a live sender keeps it by renewing; of two processes taking
// over at once, exactly one wins. Other processes are real ones, started with node.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboxStore } from '../../../main/services/outbox/outbox-store';
import { parseLease } from '../../../main/services/outbox/sender-lock';
import { tempDir } from '../../helpers/temp-dir';

let build: ReturnType<typeof tempDir>;
let CHILD = '';
let data: ReturnType<typeof tempDir>;
let lockFile = '';
const stores: OutboxStore[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  build = tempDir('mailroom-lock-child-');
  CHILD = path.join(build.dir, 'sender-lock-child.cjs');
  buildSync({
    entryPoints: [fileURLToPath(new URL('../../helpers/sender-lock-child.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: CHILD,
    logLevel: 'error',
  });
});
afterAll(() => build.cleanup());

beforeEach(() => {
  data = tempDir();
  lockFile = path.join(data.dir, 'outbox', 'sender.lock');
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
});
afterEach(() => {
  for (const s of stores.splice(0)) s.unlock();
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  data.cleanup();
});

function store(options: { leaseMs?: number; renewMs?: number } = {}): OutboxStore {
  const s = new OutboxStore(data.dir, Date.now, options);
  stores.push(s);
  return s;
}

/** A lease as another process would have written it. */
function writeLease(lease: { pid: number; holder?: string; expires: number; host?: string }): void {
  fs.writeFileSync(lockFile, JSON.stringify({ holder: `other-${lease.pid}-${lease.expires}`, host: os.hostname(), ...lease }));
}

function readLease() {
  return parseLease(fs.readFileSync(lockFile, 'utf8'));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | false | null | undefined, boundMs = 20_000): Promise<T> {
  const give = Date.now() + boundMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > give) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

// A process that certainly exists and is not this one: the test runner's parent.
const LIVE_OTHER = process.ppid;

describe('the sender lock', () => {
  it('is taken over when its lease has lapsed, although the PID in it is alive', () => {
    writeLease({ pid: LIVE_OTHER, expires: Date.now() - 1000 });
    expect(store().tryLock()).toEqual({ ok: true });
    expect(readLease()).toMatchObject({ pid: process.pid });
    expect(readLease()!.expires).toBeGreaterThan(Date.now());
  });

  it('is respected while a live other process holds a lease that has not lapsed', () => {
    writeLease({ pid: LIVE_OTHER, expires: Date.now() + 60_000 });
    expect(store().tryLock()).toEqual({ ok: false, pid: LIVE_OTHER });
    expect(readLease()).toMatchObject({ pid: LIVE_OTHER });
  });

  it('is kept by its holder, renewing, for many times the lease length, and freed by unlock', async () => {
    const holder = store({ leaseMs: 300, renewMs: 60 });
    expect(holder.tryLock()).toEqual({ ok: true });
    const first = readLease()!;
    await sleep(1200);
    const renewed = readLease()!;
    expect(renewed.holder).toBe(first.holder);
    expect(renewed.expires).toBeGreaterThan(first.expires);

    const other = store({ leaseMs: 300 });
    expect(other.tryLock()).toEqual({ ok: false, pid: process.pid });
    expect(holder.tryLock()).toEqual({ ok: true });

    holder.unlock();
    expect(fs.existsSync(lockFile)).toBe(false);
    expect(other.tryLock()).toEqual({ ok: true });
  });

  it('is lost, not stolen back, by a holder whose lease another took over', async () => {
    const holder = store({ leaseMs: 200, renewMs: 40 });
    expect(holder.tryLock()).toEqual({ ok: true });
    // Another process took over while this one was stalled past its lease.
    writeLease({ pid: LIVE_OTHER, holder: 'the-new-holder', expires: Date.now() + 60_000 });
    await sleep(300);
    expect(readLease()).toMatchObject({ holder: 'the-new-holder' });
    expect(holder.tryLock()).toEqual({ ok: false, pid: LIVE_OTHER });
    holder.unlock();
    expect(readLease()).toMatchObject({ holder: 'the-new-holder' });
  });

  it('is taken over once the lease lapses from a SIGKILLed holder that lingers as a zombie', async () => {
    // The holder's parent is `sleep`, which never reaps: after SIGKILL the holder stays a zombie,
    // which kill(pid, 0) still finds, the case a PID-only lock never recovers from.
    const sh = spawn('sh', ['-c', `"${process.execPath}" "${CHILD}" hold "${data.dir}" 3000 500 & exec sleep 120`], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(sh);
    let out = '';
    sh.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const held = JSON.parse(await until('the holder to take the lock', () => out.includes('\n') && out.split('\n')[0])) as { pid: number; ok: boolean };
    expect(held.ok).toBe(true);
    const lease = readLease()!;
    expect(lease.pid).toBe(held.pid);

    process.kill(held.pid, 'SIGKILL');
    await until('the holder to be a zombie', () => /\) Z /.test(fs.readFileSync(`/proc/${held.pid}/stat`, 'utf8')));
    expect(() => process.kill(held.pid, 0), 'a zombie still answers to its PID').not.toThrow();

    const taker = store();
    const lastSeen = readLease()!;
    expect(taker.tryLock(), 'its last lease has not lapsed yet').toEqual({ ok: false, pid: held.pid });
    await until('the lock to be taken over', () => taker.tryLock().ok);
    expect(Date.now(), 'not before the lease lapsed').toBeGreaterThanOrEqual(lastSeen.expires);
    expect(readLease()).toMatchObject({ pid: process.pid });
    sh.kill('SIGKILL');
  });

  it('is won by exactly one of four processes taking over a lapsed lease at the same moment, round after round', async () => {
    const ROUNDS = 30;
    const RACERS = 4;
    const sync = path.join(data.dir, 'sync');
    fs.mkdirSync(sync);
    const exits: Promise<number | null>[] = [];
    for (let i = 0; i < RACERS; i++) {
      const c = spawn(process.execPath, [CHILD, 'race', data.dir, '60000', String(ROUNDS), sync, String(i)], { stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(c);
      exits.push(new Promise((r) => c.on('exit', (code) => r(code))));
    }
    for (let r = 0; r < ROUNDS; r++) {
      // A lease left by a process that stopped renewing; its PID is alive (a reused PID).
      writeLease({ pid: LIVE_OTHER, holder: `lapsed-${r}`, expires: Date.now() - 1 });
      fs.writeFileSync(path.join(sync, `go-${r}`), '');
      const results = await until(`round ${r} results`, () => {
        const files = Array.from({ length: RACERS }, (_, i) => path.join(sync, `res-${r}-${i}`));
        return files.every((f) => fs.existsSync(f)) && files.map((f) => fs.readFileSync(f, 'utf8'));
      });
      expect(results.filter((x) => x === 'won'), `round ${r}: ${results.join(', ')}`).toHaveLength(1);
      // A loser names the racer that won, never the process whose lease lapsed.
      for (const x of results) expect(x).not.toBe(`lost ${LIVE_OTHER}`);
      fs.writeFileSync(path.join(sync, `end-${r}`), '');
      await until(`round ${r} to end`, () => Array.from({ length: RACERS }, (_, i) => path.join(sync, `done-${r}-${i}`)).every((f) => fs.existsSync(f)));
      expect(fs.existsSync(lockFile), 'the winner let go').toBe(false);
    }
    expect(await Promise.all(exits)).toEqual(Array(RACERS).fill(0));
    expect(fs.readdirSync(path.dirname(lockFile)).filter((f) => f.startsWith('sender.lock')), 'no claim or temporary files left').toEqual([]);
  });

  it('takes over from a taker that died half-way, and refuses while a live one is at it', () => {
    writeLease({ pid: LIVE_OTHER, holder: 'gone-holder', expires: Date.now() - 1000 });
    const claim = `${lockFile}.gone-holder.claim`;
    fs.writeFileSync(claim, JSON.stringify({ pid: LIVE_OTHER, holder: 'busy-taker', host: os.hostname(), expires: Date.now() + 60_000 }));
    expect(store().tryLock()).toEqual({ ok: false, pid: LIVE_OTHER });

    fs.writeFileSync(claim, JSON.stringify({ pid: LIVE_OTHER, holder: 'dead-taker', host: os.hostname(), expires: Date.now() - 1000 }));
    expect(store().tryLock()).toEqual({ ok: true });
    expect(readLease()).toMatchObject({ pid: process.pid });
    expect(fs.readdirSync(path.dirname(lockFile)).filter((f) => f.endsWith('.claim'))).toEqual([]);
  });

  it('reads a bare PID left by an earlier Mailroom as a lease from when it was written', () => {
    fs.writeFileSync(lockFile, String(LIVE_OTHER));
    expect(store().tryLock()).toEqual({ ok: false, pid: LIVE_OTHER });
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockFile, old, old);
    expect(store().tryLock()).toEqual({ ok: true });
  });

  it('is taken over at once from a holder on this computer whose process is gone', async () => {
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.on('exit', r));
    writeLease({ pid: gone.pid!, expires: Date.now() + 60_000 });
    expect(store().tryLock()).toEqual({ ok: true });
  });
});
