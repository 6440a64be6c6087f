// send --batch, and outbox list | run | retry | cancel: the durable outbox from a script.
import path from 'node:path';
import type { BatchProgress, OutboxEntry, OutboxState, SmtpProfile } from '../../../preload/contract';
import { parseBatchFile } from '../batch-file';
import type { Command, Context } from '../command';
import { CliError, EXIT, failWith, printJson } from '../output';
import { senderFromEnvironment } from '../../services/office/sender-service';
import { loadMachinePolicy } from '../../services/policy/policy-service';

const ID_OPTION: Record<string, string> = { id: 'ID' };

/** A one-line progress bar on a terminal; silent when output is a file or a pipe. */
function progressLine(stream: NodeJS.WritableStream, p: BatchProgress): void {
  const done = p.sent + p.failed + p.unknown + p.cancelled;
  const width = 30;
  const filled = Math.round((done / Math.max(1, p.total)) * width);
  const rate = p.limitPerMinute > 0 ? `${p.perMinute}/${p.limitPerMinute} per min` : `${p.perMinute}/min`;
  stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${p.total}  sent ${p.sent}  failed ${p.failed}  ${rate}   `);
}

export async function sendBatch(ctx: Context, profile: SmtpProfile, file: string, wait: boolean): Promise<number> {
  const parsed = parseBatchFile(file);
  if (!parsed.ok) {
    const fields = parsed.errors.map((e) => ({ path: e.line > 0 ? `line ${e.line}: ${e.field}` : e.field, message: e.message }));
    throw new CliError({ code: 'invalid-input', message: `${parsed.errors.length === 1 ? 'One problem' : `${parsed.errors.length} problems`} in ${file}; nothing was queued`, fields });
  }
  const tty = Boolean((ctx.io.stderr as NodeJS.WriteStream).isTTY) && !ctx.json;
  const run = await ctx.services().useCases.mail.sendBatch(profile, parsed.messages, { wait, ...(tty ? { onProgress: (p: BatchProgress) => progressLine(ctx.io.stderr, p) } : {}) });
  if (!run.ok) throw new CliError(run.error);
  const { batchId } = run.value;
  if (!run.value.sent) {
    if (run.value.otherSender !== null && !ctx.json) ctx.io.stderr.write(`note: Mailroom (process ${run.value.otherSender}) is sending from this outbox; it sends these messages.\n`);
    if (ctx.json) printJson(ctx.io, { ok: true, batchId, queued: run.value.queued });
    else ctx.io.stdout.write(`Queued ${run.value.queued} messages (batch ${batchId}). Send them with: mailroom outbox run\n`);
    return EXIT.ok;
  }
  if (tty) ctx.io.stderr.write('\n');
  const summary = { batchId, ...run.value.summary };
  if (ctx.json) printJson(ctx.io, { ok: summary.sent === summary.total, ...summary });
  else {
    ctx.io.stdout.write(`Batch ${batchId}: ${summary.sent} of ${summary.total} sent, ${summary.failed} failed, ${summary.unknown} unknown, ${summary.queued} waiting to retry (${(summary.durationMs / 1000).toFixed(1)} s).\n`);
    for (const e of run.value.entries.filter((x) => x.state !== 'sent').slice(0, 20)) ctx.io.stdout.write(`  ${e.state.padEnd(9)} ${e.to.join(', ')}  ${e.subject}: ${e.advice?.title ?? e.lastReply}\n`);
    if (summary.queued > 0) ctx.io.stdout.write('Messages waiting to retry are sent by: mailroom outbox run\n');
  }
  return summary.sent === summary.total ? EXIT.ok : EXIT.failed;
}

function formatEntry(e: OutboxEntry): string {
  const flags = [e.possibleDuplicate ? 'possible duplicate' : '', e.reason ?? ''].filter(Boolean).join(', ');
  return `${e.state.padEnd(9)} ${String(e.attempts).padStart(2)}x  ${e.updatedAt.slice(0, 19).replace('T', ' ')}  ${e.profileName}  ${e.to.join(', ')}  "${e.subject}"${flags ? `  [${flags}]` : ''}${e.lastReply ? `\n           ${e.lastReply}` : ''}`;
}

export const OUTBOX_COMMANDS: Command[] = [
  {
    name: 'outbox list',
    summary: 'Show the messages in the outbox and their states',
    usage: 'mailroom outbox list [--state queued|sending|sent|failed|unknown|cancelled] [--limit N] [--json]',
    options: { state: { type: 'string' }, limit: { type: 'string' } },
    async run(ctx, values) {
      const state = values.state as string | undefined;
      if (state !== undefined && !['queued', 'sending', 'sent', 'failed', 'unknown', 'cancelled'].includes(state)) {
        throw new CliError({ code: 'invalid-input', message: `--state must be one of queued, sending, sent, failed, unknown, cancelled`, fields: [{ path: '--state', message: 'Unknown state' }] });
      }
      const limit = values.limit === undefined ? 100 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError({ code: 'invalid-input', message: '--limit must be a positive whole number', fields: [{ path: '--limit', message: 'Not a positive whole number' }] });
      const listed = await ctx.services().useCases.mail.outboxList({ limit, ...(state ? { states: [state as OutboxState] } : {}) });
      if (!listed.ok) throw new CliError(listed.error);
      const view = listed.value;
      const entries = view.entries;
      if (ctx.json) printJson(ctx.io, { counts: view.counts, entries });
      else {
        ctx.io.stdout.write(`${Object.entries(view.counts).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
        for (const e of entries) ctx.io.stdout.write(formatEntry(e) + '\n');
      }
      return EXIT.ok;
    },
  },
  {
    name: 'outbox run',
    summary: 'Send what is queued now; exit when nothing is left to try now',
    usage: 'mailroom outbox run [--json]',
    details: 'Messages waiting for a retry later stay queued; run again later (for example from a scheduled task).\nExit code 1 when a message failed or its delivery is unknown.',
    async run(ctx) {
      const ran = await ctx.services().useCases.mail.runOutbox();
      if (!ran.ok) throw new CliError(ran.error);
      const summary = { ...ran.value.summary, stillQueued: ran.value.stillQueued };
      if (ctx.json) printJson(ctx.io, { ok: summary.failed + summary.unknown === 0, ...summary });
      else ctx.io.stdout.write(`Outbox run: ${summary.sent} sent, ${summary.failed} failed, ${summary.unknown} unknown; ${summary.stillQueued} still queued for later (${(summary.durationMs / 1000).toFixed(1)} s).\n`);
      return summary.failed + summary.unknown === 0 ? EXIT.ok : EXIT.failed;
    },
  },
  {
    name: 'outbox retry',
    summary: 'Queue a failed, unknown or cancelled message again',
    usage: 'mailroom outbox retry ID [--json]',
    positionals: { min: 1, max: 1 },
    async run(ctx, _values, [id]) {
      const retried = await ctx.services().useCases.mail.retry(id as string);
      if (!retried.ok) throw failWith(retried.error.code === 'not-found' ? { ...retried.error, message: `No message ${id} in the outbox` } : retried.error, ID_OPTION);
      const entry = retried.value;
      if (ctx.json) printJson(ctx.io, { ok: entry.state === 'queued', entry });
      else if (entry.state === 'queued') ctx.io.stdout.write(`Queued again: "${entry.subject}"\n`);
      else if (entry.reason === 'too-large') ctx.io.stderr.write(`error: not queued again: "${entry.subject}" is still too large for its profile. ${entry.advice?.cause ?? ''} Raise the profile's maximum attachment size first.\n`);
      else ctx.io.stdout.write(`Not changed (it is ${entry.state}): "${entry.subject}"\n`);
      return entry.state === 'queued' ? EXIT.ok : EXIT.failed;
    },
  },
  {
    name: 'outbox cancel',
    summary: 'Cancel a queued message',
    usage: 'mailroom outbox cancel ID [--json]',
    positionals: { min: 1, max: 1 },
    async run(ctx, _values, [id]) {
      const cancelled = await ctx.services().useCases.mail.cancel(id as string);
      if (!cancelled.ok) throw failWith(cancelled.error.code === 'not-found' ? { ...cancelled.error, message: `No message ${id} in the outbox` } : cancelled.error, ID_OPTION);
      const entry = cancelled.value;
      if (ctx.json) printJson(ctx.io, { ok: entry.state === 'cancelled', entry });
      else ctx.io.stdout.write(`${entry.state === 'cancelled' ? 'Cancelled' : `Not changed (it is ${entry.state})`}: "${entry.subject}"\n`);
      return entry.state === 'cancelled' ? EXIT.ok : EXIT.failed;
    },
  },
  {
    name: 'outbox serve',
    ownConnection: true,
    summary: 'Send the office outbox for everyone (the sender service); run as many as you like',
    usage: 'mailroom outbox serve [--database URL] [--sender-key FILE] [--lease-seconds N] [--concurrency N] [--instance NAME] [--json]',
    details: [
      'Signs in to the office database as a sender role (a member of mailroom_sender): --database, else MAILROOM_DATABASE_URL, PG* and ~/.pgpass.',
      'Opens the saved passwords with the sender key: --sender-key, else MAILROOM_SENDER_KEY_FILE (made by mailroom office init).',
      'Sends until stopped; Ctrl+C (SIGINT) or SIGTERM finishes the messages on their way, gives back the rest, and exits 0.',
      'Options:',
      '  --lease-seconds N  a message this sender holds goes to another sender N seconds after this one stops answering (default 60)',
      '  --concurrency N    messages held at once (default 16); each profile still opens at most its own number of connections',
      '  --instance NAME    this sender\'s name in mailroom.senders (default: host, process id and a random part)',
      '  --json             print one line {"ready": true, ...} once sending',
    ].join('\n'),
    options: { database: { type: 'string' }, 'sender-key': { type: 'string' }, 'lease-seconds': { type: 'string' }, concurrency: { type: 'string' }, instance: { type: 'string' } },
    async run(ctx, values) {
      const whole = (name: string, min: number, max: number): number | undefined => {
        const text = values[name] as string | undefined;
        if (text === undefined) return undefined;
        const n = Number(text);
        if (!/^\d+$/.test(text) || n < min || n > max) throw new CliError({ code: 'invalid-input', message: `--${name} must be a whole number from ${min} to ${max}, not "${text}"`, fields: [{ path: `--${name}`, message: `Use a whole number from ${min} to ${max}` }] });
        return n;
      };
      const leaseSeconds = whole('lease-seconds', 1, 3600);
      const concurrency = whole('concurrency', 1, 1000);
      const instance = values.instance as string | undefined;
      if (instance !== undefined && !/^[\w.:@-]{1,100}$/.test(instance)) {
        throw new CliError({ code: 'invalid-input', message: '--instance: use 1 to 100 letters, digits and . : @ _ -', fields: [{ path: '--instance', message: 'Use 1 to 100 letters, digits and . : @ _ -' }] });
      }
      // This computer's machine policy applies to what it sends, as on every desktop; what it ignored is said.
      const policy = await loadMachinePolicy({ env: ctx.io.env, platform: process.platform });
      for (const p of policy.view().problems) ctx.io.stderr.write(`warning: machine policy ${p.path} (${p.source}): ${p.message}\n`);
      const setup = senderFromEnvironment({
        env: ctx.io.env,
        ...(typeof values.database === 'string' ? { url: values.database } : {}),
        ...(typeof values['sender-key'] === 'string' ? { keyFile: path.resolve(ctx.io.cwd, values['sender-key']) } : {}),
        options: {
          ...(leaseSeconds !== undefined ? { leaseSeconds } : {}),
          ...(concurrency !== undefined ? { concurrency } : {}),
          ...(instance !== undefined ? { instance } : {}),
          onEvent: (e) => ctx.io.stderr.write(`${e.kind === 'error' ? 'error' : 'warning'}: ${e.message}\n`),
          policy,
        },
      });
      if (!setup.ok) throw new CliError(setup.error);
      const { service, warnings } = setup.value;
      for (const w of warnings) ctx.io.stderr.write(`warning: ${w}\n`);
      const started = await service.start();
      if (!started.ok) throw new CliError(started.error);
      const c = service.connection;
      const ready = { ready: true, role: started.value.role, instance: started.value.instance, leaseOwner: started.value.leaseOwner, database: { host: c.host, port: c.port, name: c.database }, heartbeat: started.value.heartbeat };
      if (ctx.json) ctx.io.stdout.write(JSON.stringify(ready) + '\n');
      else ctx.io.stdout.write(`Sending the office outbox as ${ready.role} (instance ${ready.instance}) from ${c.host}:${c.port}/${c.database}. Press Ctrl+C to stop.\n`);
      const signal = await (ctx.options.stopSignal?.() ?? new Promise<string>(() => {}));
      await service.stop();
      const s = service.stats;
      if (!ctx.json) ctx.io.stderr.write(`Stopped (${signal}): ${s.sent} sent, ${s.failed} failed, ${s.unknown} unknown, ${s.retried} to retry, ${s.released} given back.\n`);
      return EXIT.ok;
    },
  },
];
