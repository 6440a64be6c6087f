// send --batch and the outbox commands, as a script runs them (through runCli in this process).
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mailroom } from '../helpers/cli';
import { startSink, type Sink } from '../helpers/sink-server';
import { tempDir } from '../helpers/temp-dir';

let sink: Sink;
let dir: string;
let cleanup: () => void;
const run = (args: string[], input?: string) => mailroom(args, { dataDir: dir, input });

beforeAll(async () => {
  sink = await startSink();
});
afterAll(() => sink.close());
beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  const made = await run(['profile', 'set', 'Bulk', '--host', `127.0.0.1,${sink.port}`, '--security', 'none', '--auth', 'none', '--from-address', 'statements@acme.example', '--default']);
  expect(made.code, made.stderr).toBe(0);
});
afterEach(() => cleanup());

describe('mailroom send --batch', () => {
  it('sends every row of a CSV file (quoted commas, line breaks, several recipients, attachments) and sums up', async () => {
    fs.writeFileSync(path.join(dir, 'statement.pdf'), '%PDF-1.4 statement');
    fs.writeFileSync(
      path.join(dir, 'batch.csv'),
      [
        'to,cc,subject,text,attachments',
        'a@example.com,,"Statement, October","Dear A,\nyour statement.",statement.pdf',
        '"b@example.com; c@example.com",boss@example.com,Statement November,Hello B,',
        'd@example.com,,"He said ""hi""",Text,',
      ].join('\r\n'),
    );
    const before = sink.total();
    const out = await run(['send', '--batch', 'batch.csv', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const summary = JSON.parse(out.stdout);
    expect(summary).toMatchObject({ ok: true, total: 3, sent: 3, failed: 0, queued: 0 });
    expect(sink.total() - before).toBe(3);
    const list = JSON.parse((await run(['outbox', 'list', '--json'])).stdout);
    expect(list.counts.sent).toBe(3);
    expect(list.entries.map((e: { subject: string }) => e.subject).sort()).toEqual(['He said "hi"', 'Statement November', 'Statement, October']);
    expect(list.entries.find((e: { subject: string }) => e.subject === 'Statement November').to).toEqual(['b@example.com', 'c@example.com', 'boss@example.com']);
  });

  it('sends JSON lines too', async () => {
    const lines = [{ to: 'a@example.com', subject: 'One', html: '<p>One</p>' }, { to: ['b@example.com'], subject: 'Two', text: 'Two' }];
    fs.writeFileSync(path.join(dir, 'batch.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const out = await run(['send', '--batch', 'batch.jsonl']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/2 of 2 sent/);
  });

  it('checks every row first: names each bad line and field, and queues nothing', async () => {
    fs.writeFileSync(
      path.join(dir, 'bad.csv'),
      ['to,subject,text,attachments', 'good@example.com,Fine,Text,', 'not-an-address,Bad to,Text,', 'x@example.com,,Text,', 'y@example.com,Missing file,Text,nowhere.pdf', 'z@example.com,No body,,'].join('\n'),
    );
    const out = await run(['send', '--batch', 'bad.csv']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('line 3: to');
    expect(out.stderr).toContain('line 4: subject');
    expect(out.stderr).toContain('line 5: attachments');
    expect(out.stderr).toContain('line 6: text');
    expect(out.stderr).not.toContain('line 2');
    expect(fs.existsSync(path.join(dir, 'outbox', 'batches')) ? fs.readdirSync(path.join(dir, 'outbox', 'batches')) : []).toEqual([]);
  });

  it('queues only with --no-wait, and outbox run sends it and exits when nothing is left', async () => {
    fs.writeFileSync(path.join(dir, 'b.jsonl'), JSON.stringify({ to: 'a@example.com', subject: 'Later', text: 'x' }) + '\n');
    const queued = JSON.parse((await run(['send', '--batch', 'b.jsonl', '--no-wait', '--json'])).stdout);
    expect(queued).toMatchObject({ ok: true, queued: 1 });
    expect(JSON.parse((await run(['outbox', 'list', '--state', 'queued', '--json'])).stdout).entries).toHaveLength(1);
    const ran = await run(['outbox', 'run', '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ ok: true, sent: 1, stillQueued: 0 });
  });

  it('refuses to run the outbox while another live process sends from it', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      fs.mkdirSync(path.join(dir, 'outbox'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'outbox', 'sender.lock'), String(holder.pid));
      const out = await run(['outbox', 'run']);
      expect(out.code).toBe(1);
      expect(out.stderr).toContain(`process ${holder.pid}`);
    } finally {
      holder.kill();
      // Gone means reaped: until then kill(pid, 0) still finds it.
      if (holder.exitCode === null && holder.signalCode === null) await new Promise((resolve) => holder.once('exit', resolve));
    }
    // A lock left by a process that is gone is taken over.
    const out = await run(['outbox', 'run']);
    expect(out.code, out.stderr).toBe(0);
  });

  it('prints help for the outbox commands', async () => {
    for (const args of [['outbox', '--help'], ['outbox', 'list', '--help'], ['outbox', 'run', '--help'], ['send', '--help']]) {
      const out = await run(args);
      expect(out.code, args.join(' ')).toBe(0);
    }
    expect((await run(['send', '--help'])).stdout).toContain('--batch');
  });
});
