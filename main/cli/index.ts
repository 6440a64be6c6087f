// The mailroom command line, for IT and scripts: settings, browser mode, server profiles and mail.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createServices, loadMachinePolicy, openServices as openAnyServices, type MachinePolicy, type ServiceOptions, type Services } from '../services';
import { officeModeWanted } from '../services/office/office-link';
import { microsoftCloudFromEnv } from '../services/oauth/microsoft-cloud';
import { createConfFile } from '../services/conf-file';
import { DataUnreadableError } from '../services/settings/settings-service';
import { resolveDataDir } from '../services/data-dir';
import type { Command, CliOptions, Context } from './command';
import { SERVE_COMMANDS } from './commands/serve';
import { SETTINGS_COMMANDS } from './commands/settings';
import { PROFILE_COMMANDS } from './commands/profile';
import { MAIL_COMMANDS } from './commands/mail';
import { OUTBOX_COMMANDS } from './commands/outbox';
import { OAUTH_COMMANDS } from './commands/oauth';
import { COMPOSE_COMMANDS } from './commands/compose';
import { OFFICE_COMMANDS } from './commands/office';
import { POLICY_COMMANDS } from './commands/policy';
import { CliError, EXIT, UsageError, formatError, printJson, type CliIo } from './output';

export type { CliOptions } from './command';


const JSON_OPTION = { json: { type: 'boolean' as const } };

const COMMANDS: Command[] = [...SERVE_COMMANDS, ...SETTINGS_COMMANDS, ...PROFILE_COMMANDS, ...OAUTH_COMMANDS, ...MAIL_COMMANDS, ...COMPOSE_COMMANDS, ...OUTBOX_COMMANDS, ...OFFICE_COMMANDS, ...POLICY_COMMANDS];

const GROUPS: Record<string, string> = {
  settings: 'Export, import, read and change settings',
  profile: 'Create, change, list and remove SMTP server profiles, or propose one from an email address',
  outbox: 'See, send, retry and cancel the messages in the outbox',
  office: 'Set up and look after the office database',
  policy: 'Show the machine policy in force',
};

function topHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `Mailroom ${version}: email settings and mail machinery.`,
    '',
    'Usage: mailroom COMMAND [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --help and --json. Exit codes: 0 success, 1 the operation failed, 2 invalid command line or input (nothing changed).',
    'Data folder: MAILROOM_DATA_DIR, or the platform default.',
    '',
  ].join('\n');
}

function groupHelp(group: string): string {
  const members = COMMANDS.filter((c) => c.name.startsWith(group + ' '));
  return [`mailroom ${group}: ${GROUPS[group] ?? ''}`, '', 'Commands:', ...members.map((c) => `  ${c.usage}\n      ${c.summary}`), ''].join('\n');
}

function commandHelp(command: Command): string {
  return [`Usage: ${command.usage}`, '', command.summary + '.', ...(command.details ? ['', command.details] : []), ''].join('\n');
}

export async function runCli(argv: string[], io: CliIo, options: CliOptions): Promise<number> {
  const json = argv.includes('--json');
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  const words = argv.filter((a) => !isOption(a));
  try {
    if (argv.length === 0 || (words.length === 0 && wantsHelp) || words[0] === 'help') {
      const target = words[0] === 'help' ? words.slice(1).join(' ') : '';
      const found = COMMANDS.find((c) => c.name === target);
      io.stdout.write(found ? commandHelp(found) : target && GROUPS[target] ? groupHelp(target) : topHelp(options.version));
      return argv.length === 0 ? EXIT.usage : EXIT.ok;
    }
    if (argv.includes('--version')) {
      io.stdout.write(options.version + '\n');
      return EXIT.ok;
    }
    const command = COMMANDS.find((c) => {
      const parts = c.name.split(' ');
      return parts.every((p, i) => words[i] === p);
    });
    if (!command) {
      const group = words[0] ?? '';
      if (GROUPS[group]) {
        if (wantsHelp || words.length === 1) {
          io.stdout.write(groupHelp(group));
          return wantsHelp ? EXIT.ok : EXIT.usage;
        }
        throw new UsageError(`Unknown command "${words.slice(0, 2).join(' ')}"`, groupHelp(group));
      }
      throw new UsageError(`Unknown command "${group}"`, topHelp(options.version));
    }
    if (wantsHelp) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const depth = command.name.split(' ').length;
    const rest = removeWords(argv, depth);
    let parsed;
    try {
      // A negative number is a value, not an option: shield it from parseArgs and restore it after.
      const shielded = rest.map((a) => (NEGATIVE_NUMBER.test(a) ? NEGATIVE_MARK + a : a));
      parsed = parseArgs({ args: shielded, options: { ...JSON_OPTION, ...command.options }, allowPositionals: true, strict: true });
      parsed.positionals = parsed.positionals.map((a) => (a.startsWith(NEGATIVE_MARK) ? a.slice(NEGATIVE_MARK.length) : a));
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ''), commandHelp(command));
    }
    const { min, max } = command.positionals ?? { min: 0, max: 0 };
    if (parsed.positionals.length < min) throw new UsageError('Missing argument', commandHelp(command));
    if (parsed.positionals.length > max) throw new UsageError(`Unexpected argument "${parsed.positionals[max]}"`, commandHelp(command));
    let services: Services | undefined;
    // Machine policy is read first: it locks settings, and may name the office database.
    const policy = command.ownConnection ? undefined : await loadMachinePolicy({ env: io.env, platform: process.platform });
    // Office mode: the settings and the outbox are in the database named by MAILROOM_DATABASE_URL,
    // reached before the command runs (commands that open their own connection excepted).
    if (policy && officeWanted(io, policy)) services = await openOfficeServices(io, options, policy);
    const ctx: Context = {
      io,
      options,
      json,
      services: () => (services ??= openServices(io, options, policy)),
    };
    try {
      // Who may run what is decided by the services each command calls, as for the dialog.
      return await command.run(ctx, parsed.values, parsed.positionals);
    } finally {
      // Close pooled connections and the outbox journal so the process can exit.
      services?.oauth.close();
      await services?.outbox.stop();
      await services?.office?.close();
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n${error.help ? '\n' + error.help : ''}`);
      if (json) printJson(io, { ok: false, error: { code: 'invalid-input', message: error.message } });
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(formatError(error.error));
      if (json) printJson(io, { ok: false, error: error.error });
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`error: ${message}\n`);
    if (json) printJson(io, { ok: false, error: { code: 'internal', message } });
    return EXIT.failed;
  }
}

function cliServiceOptions(io: CliIo, options: CliOptions, policy: MachinePolicy | undefined): ServiceOptions {
  return {
    ...(policy ? { policy } : {}),
    dataDir: resolveDataDir({ env: io.env, platform: process.platform, homedir: os.homedir() }),
    shell: 'browser',
    version: options.version,
    createFile: createConfFile,
    onRecovered: (message) => io.stderr.write(`warning: ${message}\n`),
    microsoftCloud: microsoftCloudFromEnv(io.env),
    env: io.env,
  };
}

function officeWanted(io: CliIo, policy: MachinePolicy): boolean {
  return officeModeWanted(resolveDataDir({ env: io.env, platform: process.platform, homedir: os.homedir() }), io.env, policy.officeDatabaseUrl());
}

/** Data that cannot be read (another account's settings, a locked file): stop here, change nothing. */
function unreadable(error: unknown): never {
  if (error instanceof DataUnreadableError) throw new CliError({ code: 'io-error', message: error.message });
  throw error;
}

async function openOfficeServices(io: CliIo, options: CliOptions, policy: MachinePolicy): Promise<Services> {
  const opened = await openAnyServices(cliServiceOptions(io, options, policy)).catch(unreadable);
  if (!opened.ok) throw new CliError(opened.error);
  return opened.value;
}

function openServices(io: CliIo, options: CliOptions, policy: MachinePolicy | undefined): Services {
  try {
    return createServices(cliServiceOptions(io, options, policy));
  } catch (error) {
    return unreadable(error);
  }
}

const NEGATIVE_NUMBER = /^-\d+(?:\.\d+)?$/;
const NEGATIVE_MARK = '\u0000neg:';

function isOption(arg: string): boolean {
  return arg.startsWith('-') && !NEGATIVE_NUMBER.test(arg);
}

/** Drops the command words (e.g. "settings set") from argv, leaving options and positionals in order. */
function removeWords(argv: string[], count: number): string[] {
  const out: string[] = [];
  let removed = 0;
  for (const arg of argv) {
    if (removed < count && !isOption(arg)) {
      removed++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

