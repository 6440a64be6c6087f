// A second process for the sender-lock tests, bundled by the test and run with node. It takes the
// outbox's sender lock through the real OutboxStore and then does what the test needs:
//   hold DATA_DIR LEASE_MS RENEW_MS        take the lock, print {"pid","ok"}, keep renewing until killed
//   race DATA_DIR LEASE_MS ROUNDS SYNC_DIR ID
//        per round r: spin until SYNC_DIR/go-r exists, try the lock, write SYNC_DIR/res-r-ID
//        ("won" or "lost"), wait for SYNC_DIR/end-r, let go of the lock, write SYNC_DIR/done-r-ID
import fs from 'node:fs';
import path from 'node:path';
import { OutboxStore } from '../../main/services/outbox/outbox-store';

const [mode, dataDir = '', leaseArg = '15000', ...rest] = process.argv.slice(2);
const leaseMs = Number(leaseArg);

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

if (mode === 'hold') {
  const store = new OutboxStore(dataDir, Date.now, { leaseMs, renewMs: Number(rest[0] ?? leaseMs / 3) });
  const result = store.tryLock();
  process.stdout.write(JSON.stringify({ pid: process.pid, ok: result.ok }) + '\n');
  setInterval(() => {}, 1 << 30);
} else if (mode === 'race') {
  const rounds = Number(rest[0]);
  const sync = rest[1] ?? '';
  const id = rest[2] ?? '';
  for (let r = 0; r < rounds; r++) {
    const go = path.join(sync, `go-${r}`);
    // Spin, not sleep: every racer should leave the line at the same moment.
    while (!fs.existsSync(go));
    const store = new OutboxStore(dataDir, Date.now, { leaseMs, renewMs: leaseMs });
    const result = store.tryLock();
    // Whole or not at all: the test reads the result as soon as the file exists.
    const res = path.join(sync, `res-${r}-${id}`);
    fs.writeFileSync(`${res}.tmp`, result.ok ? 'won' : `lost ${result.pid}`);
    fs.renameSync(`${res}.tmp`, res);
    while (!fs.existsSync(path.join(sync, `end-${r}`))) sleep(2);
    store.unlock();
    fs.writeFileSync(path.join(sync, `done-${r}-${id}`), '');
  }
  process.exit(0);
} else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
