// test-connection and send: what IT scripts run to check a profile and to send a message.
import path from 'node:path';
import { type Advice, type Diagnosis, type SmtpProfile } from '../../../preload/contract';
import { MESSAGE_OPTIONS, messageFromOptions } from '../message-options';
import type { Command, Context } from '../command';
import { readSecretLine } from '../input';
import { CliError, EXIT, failWith, printJson } from '../output';
import { PROFILE_OPTION } from './profile';
import { sendBatch } from './outbox';

const STATUS_MARK: Record<string, string> = { passed: 'ok  ', failed: 'FAIL', warning: 'warn', skipped: 'skip', info: 'info' };

/** The profile named with --profile, else the default one. */
export function pickProfile(ctx: Context, name: unknown): SmtpProfile {
  const picked = ctx.services().useCases.mail.pickProfile(typeof name === 'string' ? name : undefined);
  if (!picked.ok) {
    const { error } = picked;
    throw failWith(error.code === 'invalid-input' ? { ...error, message: 'Name a profile with --profile NAME (there is no default profile)' } : error, PROFILE_OPTION);
  }
  return picked.value;
}

export function formatAdvice(advice: Advice): string {
  const lines = [`${advice.title}`];
  if (advice.serverReply) lines.push(`  The server said: ${advice.serverReply}`);
  lines.push(`  Likely cause:    ${advice.cause}`, `  What to do:      ${advice.fix}`);
  return lines.join('\n') + '\n';
}

export function formatDiagnosis(d: Diagnosis): string {
  const width = Math.max(...d.steps.map((s) => s.title.length));
  const lines = [`Testing "${d.profileName}" (${d.target})`];
  for (const step of d.steps) {
    lines.push(`  [${STATUS_MARK[step.status] ?? step.status}] ${step.title.padEnd(width)}  ${String(step.durationMs).padStart(5)} ms  ${step.summary}`);
    for (const detail of step.details) lines.push(`           ${' '.repeat(width)}            ${detail.label}: ${detail.value}`);
  }
  lines.push(d.ok ? `Connection test passed in ${d.totalMs} ms.` : `Connection test failed at "${d.steps.find((s) => s.id === d.failure?.step)?.title ?? d.failure?.step}".`);
  return lines.join('\n') + '\n';
}

async function passwordOption(ctx: Context, values: Record<string, unknown>): Promise<string | undefined> {
  return values['password-stdin'] ? readSecretLine(ctx.io.stdin) : undefined;
}

export const MAIL_COMMANDS: Command[] = [
  {
    name: 'test-connection',
    summary: 'Diagnose the connection to a profile\'s server, step by step',
    usage: 'mailroom test-connection [--profile NAME] [--ping] [--password-stdin] [--json]',
    details: [
      'Steps: name lookup, TCP connect, TLS handshake, greeting, EHLO capabilities, STARTTLS, sign-in, sender.',
      'The first failure stops the test and says what failed, the server\'s words, the likely cause and the fix.',
      'Options:',
      '  --profile NAME     the profile to test (default: the default profile)',
      '  --ping             also ping the server (informational: ICMP is often blocked)',
      '  --password-stdin   test with this password instead of the saved one',
      'Exit code 0 only when every step passed.',
    ].join('\n'),
    options: { profile: { type: 'string' }, ping: { type: 'boolean' }, 'password-stdin': { type: 'boolean' } },
    async run(ctx, values) {
      const profile = pickProfile(ctx, values.profile);
      const password = await passwordOption(ctx, values);
      const result = await ctx.services().useCases.mail.testConnection(profile, { password, ping: Boolean(values.ping) });
      if (!result.ok) throw new CliError(result.error);
      if (ctx.json) printJson(ctx.io, result.value);
      else {
        const text = formatDiagnosis(result.value);
        ctx.io.stdout.write(text);
        if (result.value.failure) ctx.io.stderr.write(`error: ${formatAdvice(result.value.failure)}`);
      }
      return result.value.ok ? EXIT.ok : EXIT.failed;
    },
  },
  {
    name: 'send',
    summary: 'Send one message, or a batch from a file, through the outbox',
    usage: 'mailroom send [--profile NAME] --to ADDR [--to ADDR]... [--cc ADDR]... [--bcc ADDR]... --subject S [--text T | --html H] [--attach FILE]... [--json]\n       mailroom send [--profile NAME] --batch FILE [--no-wait] [--json]',
    details: [
      'Every message goes into the outbox on disk first, then out at the profile\'s rate.',
      '--batch FILE queues many messages: CSV with a header row (to, cc, bcc, subject, text, html, attachments;',
      'several recipients or attachment files in one cell separated by ";", files relative to FILE), or JSON lines',
      'with the same fields. Every row is checked first; a bad row is named by its line and field and nothing is',
      'queued. A progress bar shows on a terminal; a summary follows. --no-wait only queues (send with "outbox run").',
      'Each --to, --cc and --bcc takes one recipient, with or without a name: ap@example.com,',
      '\'Accounts Payable <ap@example.com>\' or \'"Payable, Accounts" <ap@example.com>\' (a name with a comma,',
      'semicolon, quote or @ goes in double quotes); repeat the option for more.',
      'Give the body with --text or --html (or both: the text is the plain alternative).',
      'Exit code 0 only when the server accepted the message; the Message-ID and the server\'s reply are printed.',
    ].join('\n'),
    options: {
      ...MESSAGE_OPTIONS,
      'password-stdin': { type: 'boolean' },
      batch: { type: 'string' },
      'no-wait': { type: 'boolean' },
    },
    async run(ctx, values) {
      const profile = pickProfile(ctx, values.profile);
      if (typeof values.batch === 'string') {
        const clash = ['to', 'cc', 'bcc', 'subject', 'text', 'html', 'attach', 'password-stdin'].filter((k) => values[k] !== undefined);
        if (clash.length > 0) throw new CliError({ code: 'invalid-input', message: `--batch takes everything from the file; leave out ${clash.map((k) => `--${k}`).join(', ')}`, fields: clash.map((k) => ({ path: `--${k}`, message: 'Not with --batch' })) });
        return sendBatch(ctx, profile, path.resolve(ctx.io.cwd, values.batch), !values['no-wait']);
      }
      if (typeof values.subject !== 'string') {
        throw new CliError({ code: 'invalid-input', message: 'Give a subject with --subject', fields: [{ path: '--subject', message: 'Required' }] });
      }
      const message = messageFromOptions(ctx, values, { recipientRequired: true });
      const password = await passwordOption(ctx, values);
      // On disk in the outbox first, then sent; a temporary failure stays queued for "outbox run".
      const sent = await ctx.services().useCases.mail.send(profile, message, { password });
      if (!sent.ok) throw new CliError(sent.error);
      const outcome = sent.value;
      if (ctx.json) printJson(ctx.io, outcome);
      else if (outcome.ok) {
        ctx.io.stdout.write(`Sent with "${profile.name}".\n  Message-ID: ${outcome.receipt.messageId}\n  Server:     ${outcome.receipt.response}\n  Accepted:   ${outcome.receipt.accepted.join(', ') || '(none)'}\n`);
        if (outcome.receipt.rejected.length) ctx.io.stdout.write(`  Rejected:   ${outcome.receipt.rejected.join(', ')}\n`);
      } else ctx.io.stderr.write(`error: not sent. ${formatAdvice(outcome.advice)}`);
      return outcome.ok ? EXIT.ok : EXIT.failed;
    },
  },
];
