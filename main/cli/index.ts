// The mailroom command line, for IT and scripts: settings, browser mode, and (later) profiles and mail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createServices, type Services } from '../services';
import { createConfFile } from '../services/conf-file';
import { resolveDataDir } from '../services/data-dir';
import { createDispatch } from '../api/dispatch';
import { createHandlers } from '../api/handlers';
import { startHost } from '../host/http-host';
import { CliError, EXIT, UsageError, formatError, printJson, type CliIo } from './output';

export interface CliOptions {
  version: string;
  rendererDir: string;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); the serve command waits on it. */
  stopSignal?: () => Promise<string>;
}

interface Context {
  io: CliIo;
  options: CliOptions;
  json: boolean;
  services(): Services;
}

interface Command {
  name: string;
  summary: string;
  usage: string;
  details?: string;
  options?: ParseArgsConfig['options'];
  positionals?: { min: number; max: number };
  run(ctx: Context, values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

const JSON_OPTION = { json: { type: 'boolean' as const } };

const COMMANDS: Command[] = [
  {
    name: 'serve',
    summary: 'Serve the settings dialog in a browser (browser mode), on 127.0.0.1 only',
    usage: 'mailroom serve [--port N] [--json]',
    details: [
      'Prints the address to open, with a fresh access token; keep it private.',
      'Options:',
      '  --port N   listen on port N (default: a free port)',
      '  --json     print {"url": "..."} once ready',
      'Stops cleanly on Ctrl+C (SIGINT) or SIGTERM.',
    ].join('\n'),
    options: { port: { type: 'string' } },
    async run(ctx, values) {
      const port = values.port === undefined ? 0 : parsePort(values.port as string);
      const services = ctx.services();
      const dispatch = createDispatch(createHandlers(services), {
        onInternalError: (channel, error) => ctx.io.stderr.write(`internal error on ${channel}: ${error instanceof Error ? error.message : String(error)}\n`),
      });
      // Read once so a damaged settings file is set aside and reported before anyone connects.
      services.settings.read();
      let host;
      try {
        host = await startHost({ dispatch, rendererDir: ctx.options.rendererDir, port });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new CliError({
          code: 'io-error',
          message: code === 'EADDRINUSE' ? `Port ${port} is already in use; choose another with --port, or leave it out to pick a free one` : `Could not start the server: ${(error as Error).message}`,
        });
      }
      if (ctx.json) ctx.io.stdout.write(JSON.stringify({ url: host.url }) + '\n');
      else ctx.io.stdout.write(`Mailroom is running in browser mode. Open this address (it holds a private access token):\n  ${host.url}\nData folder: ${services.dataDir}\nPress Ctrl+C to stop.\n`);
      const signal = await (ctx.options.stopSignal?.() ?? new Promise<string>(() => {}));
      await host.close();
      if (!ctx.json) ctx.io.stderr.write(`Stopped (${signal}).\n`);
      return EXIT.ok;
    },
  },
  {
    name: 'settings export',
    summary: 'Print all settings as JSON (passwords and tokens are never included)',
    usage: 'mailroom settings export [--output FILE]',
    details: 'Options:\n  --output FILE   write to FILE instead of standard output',
    options: { output: { type: 'string', short: 'o' } },
    async run(ctx, values) {
      const settings = ctx.services().settings.read();
      const text = JSON.stringify(settings, null, 2) + '\n';
      if (typeof values.output === 'string') {
        fs.writeFileSync(path.resolve(ctx.io.cwd, values.output), text, { mode: 0o600 });
        if (ctx.json) printJson(ctx.io, { ok: true, file: path.resolve(ctx.io.cwd, values.output) });
        else ctx.io.stderr.write(`Settings written to ${values.output}\n`);
      } else {
        ctx.io.stdout.write(text);
      }
      return EXIT.ok;
    },
  },
  {
    name: 'settings import',
    summary: 'Replace the settings with a JSON file, after validating all of it',
    usage: 'mailroom settings import FILE [--json]',
    details: 'FILE is a document as printed by "settings export" ("-" reads standard input).\nIf any field is invalid, each is named and nothing is changed.',
    positionals: { min: 1, max: 1 },
    async run(ctx, _values, [file]) {
      const source = file as string;
      let text: string;
      try {
        text = source === '-' ? await readAll(ctx.io.stdin) : fs.readFileSync(path.resolve(ctx.io.cwd, source), 'utf8');
      } catch (error) {
        throw new CliError({ code: 'io-error', message: `Cannot read ${source}: ${(error as Error).message}` }, EXIT.usage);
      }
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (error) {
        throw new CliError({ code: 'invalid-input', message: `${source} is not valid JSON: ${(error as Error).message}`, fields: [{ path: '(root)', message: 'Not valid JSON' }] });
      }
      const result = ctx.services().settings.import(doc);
      if (!result.ok) throw new CliError(result.error);
      if (ctx.json) printJson(ctx.io, { ok: true, settings: result.value });
      else ctx.io.stdout.write(`Imported settings from ${source}.\n`);
      return EXIT.ok;
    },
  },
  {
    name: 'settings get',
    summary: 'Print one setting by its dot path, e.g. general.alertFrom',
    usage: 'mailroom settings get PATH [--json]',
    positionals: { min: 1, max: 1 },
    async run(ctx, _values, [dotPath]) {
      const result = ctx.services().settings.getPath(dotPath as string);
      if (!result.ok) throw new CliError(result.error);
      if (ctx.json) printJson(ctx.io, { path: dotPath, value: result.value });
      else ctx.io.stdout.write((typeof result.value === 'string' ? result.value : JSON.stringify(result.value, null, 2)) + '\n');
      return EXIT.ok;
    },
  },
  {
    name: 'settings set',
    summary: 'Change one setting by its dot path; the value is validated like the dialog does',
    usage: 'mailroom settings set PATH VALUE [--json]',
    details: 'Examples:\n  mailroom settings set general.alertFrom alerts@example.com\n  mailroom settings set general.debug.enabled true\n  mailroom settings set general.debug.retentionDays 30',
    positionals: { min: 2, max: 2 },
    async run(ctx, _values, [dotPath, value]) {
      const result = ctx.services().settings.setPath(dotPath as string, value as string);
      if (!result.ok) throw new CliError(result.error);
      const saved = ctx.services().settings.getPath(dotPath as string);
      const missing = ctx.services().settings.missingRequired();
      if (ctx.json) printJson(ctx.io, { ok: true, path: dotPath, value: saved.ok ? saved.value : value, missingRequired: missing });
      else {
        ctx.io.stdout.write(`${dotPath} = ${JSON.stringify(saved.ok ? saved.value : value)}\n`);
        if (missing.length > 0) ctx.io.stderr.write(`note: still required before the settings are complete: ${missing.map((f) => f.path).join(', ')}\n`);
      }
      return EXIT.ok;
    },
  },
];

const GROUPS: Record<string, string> = {
  settings: 'Export, import, read and change settings',
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
    const ctx: Context = {
      io,
      options,
      json,
      services: () => (services ??= openServices(io, options)),
    };
    return await command.run(ctx, parsed.values, parsed.positionals);
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

function openServices(io: CliIo, options: CliOptions): Services {
  const dataDir = resolveDataDir({ env: io.env, platform: process.platform, homedir: os.homedir() });
  return createServices({
    dataDir,
    shell: 'browser',
    version: options.version,
    createFile: createConfFile,
    onRecovered: (message) => io.stderr.write(`warning: ${message}\n`),
  });
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

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new CliError({ code: 'invalid-input', message: `--port must be a whole number from 1 to 65535, not "${text}"`, fields: [{ path: 'port', message: 'Must be 1-65535' }] });
  }
  return port;
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer | string) => chunks.push(Buffer.from(c)));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}
