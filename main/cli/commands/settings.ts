// settings export | import | get | set, whoami, and serve (browser mode).
import fs from 'node:fs';
import path from 'node:path';
import { createDispatch } from '../../api/dispatch';
import { createHandlers } from '../../api/handlers';
import { startHost } from '../../host/http-host';
import type { Command } from '../command';
import { CliError, EXIT, printJson } from '../output';
import { readAll } from '../input';

export const SETTINGS_COMMANDS: Command[] = [
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
      // The outbox sends in the background while the dialog is open, as in the desktop app.
      services.outbox.start();
      let host;
      try {
        host = await startHost({ dispatch, rendererDir: ctx.options.rendererDir, port, subscribe: (listener, options) => services.live.subscribe(listener, options) });
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
      services.live.close();
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
    // Not gated like the other admin commands: the settings service decides who may import, since
    // while the settings are locked after damage an import naming the caller as administrator is
    // exactly how they are brought back.
    name: 'settings import',
    summary: 'Replace the settings with a JSON file, after validating all of it',
    usage: 'mailroom settings import FILE [--json]',
    details: [
      'FILE is a document as printed by "settings export" ("-" reads standard input).',
      'If any field is invalid, each is named and nothing is changed.',
      'Only an administrator may import, and a file that defines users must name you as one of its administrators.',
      'While the settings are locked (damaged after users had been defined), anyone the file names as an administrator may import it.',
      'Passwords and sign-ins of profiles and users the file leaves out are forgotten.',
    ].join('\n'),
    positionals: { min: 1, max: 1 },
    async run(ctx, _values, [file]) {
      const source = file as string;
      // Settings that cannot be read at all are the first thing to report.
      const services = ctx.services();
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
      const result = services.settings.import(doc, services.identity().account);
      if (!result.ok) throw new CliError(result.error);
      services.mail.forgetRemovedProfiles();
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
    admin: true,
    summary: 'Change one setting by its dot path; the value is validated like the dialog does',
    usage: 'mailroom settings set PATH VALUE [--json]',
    details: 'Examples:\n  mailroom settings set general.alertFrom alerts@example.com\n  mailroom settings set general.debug.enabled true\n  mailroom settings set general.debug.retentionDays 30',
    positionals: { min: 2, max: 2 },
    async run(ctx, _values, [dotPath, value]) {
      const result = ctx.services().settings.setPath(dotPath as string, value as string, ctx.services().identity().account);
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
  {
    name: 'whoami',
    summary: 'Show who Mailroom takes you for, and whether you may change the settings',
    usage: 'mailroom whoami [--json]',
    details: 'Your account on this computer, the system user it maps to, whether you are an administrator, and why the settings are read-only if they are.',
    async run(ctx) {
      const who = ctx.services().identity();
      if (ctx.json) {
        printJson(ctx.io, { account: who.account, ...(who.user ? { user: who.user } : {}), admin: who.admin, ...(who.readOnly ? { readOnly: who.readOnly } : {}) });
        return EXIT.ok;
      }
      const lines = [
        `Account:        ${who.account}`,
        `System user:    ${who.user ? `${who.user.name || who.user.account}${who.user.email ? ` <${who.user.email}>` : ''}` : 'not one of the system users'}`,
        `Administrator:  ${who.admin ? 'yes' : 'no'}`,
        ...(who.readOnly ? [`Read-only:      ${who.readOnly}`] : []),
      ];
      ctx.io.stdout.write(lines.join('\n') + '\n');
      return EXIT.ok;
    },
  },
];

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new CliError({ code: 'invalid-input', message: `--port must be a whole number from 1 to 65535, not "${text}"`, fields: [{ path: 'port', message: 'Must be 1-65535' }] });
  }
  return port;
}
