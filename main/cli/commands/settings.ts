// settings export | import | get | set, and whoami.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../command';
import { CliError, EXIT, printJson } from '../output';
import { readAll } from '../input';

export const SETTINGS_COMMANDS: Command[] = [
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
        throw new CliError({ code: 'invalid-input', message: `Cannot read ${source}: ${(error as Error).message}`, fields: [{ path: 'FILE', message: 'Give a file you can read' }] });
      }
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (error) {
        throw new CliError({ code: 'invalid-input', message: `${source} is not valid JSON: ${(error as Error).message}`, fields: [{ path: '(root)', message: 'Not valid JSON' }] });
      }
      const result = await services.useCases.settings.import(doc);
      if (!result.ok) throw new CliError(result.error);
      const { settings, madeDefault } = result.value;
      if (ctx.json) printJson(ctx.io, { ok: true, settings, ...(madeDefault ? { madeDefault: madeDefault.name } : {}) });
      else {
        ctx.io.stdout.write(`Imported settings from ${source}.\n`);
        if (madeDefault) ctx.io.stdout.write(`${madeDefault.name} is now the default profile: the file named none.\n`);
      }
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
      const result = await ctx.services().useCases.settings.set(dotPath as string, value as string);
      if (!result.ok) throw new CliError(result.error);
      const { value: saved, missingRequired: missing } = result.value;
      if (ctx.json) printJson(ctx.io, { ok: true, path: dotPath, value: saved, missingRequired: missing });
      else {
        ctx.io.stdout.write(`${dotPath} = ${JSON.stringify(saved)}\n`);
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
