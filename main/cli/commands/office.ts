// office init | add-user | status | import: setting up and looking after the office database.
import path from 'node:path';
import type { Result } from '../../../preload/contract';
import { resolveConnection, type OfficeConnection } from '../../services/office/connection';
import { addUser, importFileMode, initOffice } from '../../services/office/office-admin';
import { OfficeStore } from '../../services/office/office-store';
import type { OfficeRoleKind } from '../../services/office/roles';
import type { Command, Context } from '../command';
import { CliError, EXIT, printJson } from '../output';
import { readSecretLine } from '../input';

const DATABASE_OPTION = { database: { type: 'string' as const } };
const KINDS: readonly OfficeRoleKind[] = ['staff', 'admin', 'sender'];

function connectionFor(ctx: Context, values: Record<string, unknown>): OfficeConnection {
  const url = typeof values.database === 'string' ? values.database : undefined;
  if (url === undefined && !ctx.io.env.MAILROOM_DATABASE_URL && !ctx.io.env.PGHOST && !ctx.io.env.PGDATABASE) {
    throw new CliError({
      code: 'invalid-input',
      message: 'Say which office database: set MAILROOM_DATABASE_URL (postgres://ROLE@HOST:PORT/DATABASE), PGHOST and PGDATABASE, or give --database URL',
      fields: [{ path: 'MAILROOM_DATABASE_URL', message: 'Not set' }],
    });
  }
  return unwrap(resolveConnection({ ...(url !== undefined ? { url, field: '--database' } : {}), env: ctx.io.env }));
}

function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new CliError(result.error);
  return result.value;
}

async function password(ctx: Context, values: Record<string, unknown>): Promise<string | undefined> {
  if (!values['password-stdin']) return undefined;
  return readSecretLine(ctx.io.stdin);
}

export const OFFICE_COMMANDS: Command[] = [
  {
    name: 'office init',
    ownConnection: true,
    summary: 'Create or upgrade the office database, its first administrator and the sender key',
    usage: 'mailroom office init --database URL --admin ROLE --password-stdin [--office-name N] [--sender-key-out FILE] [--json]',
    details: [
      'Run as the database owner (a role with CREATEROLE): --database postgres://OWNER@HOST:PORT/DATABASE.',
      'Makes the Mailroom schema and its groups, the login role ROLE as an administrator (password from the first line of standard input),',
      'and, for a new office, the sender key pair: its private key goes to --sender-key-out (default MAILROOM_SENDER_KEY_FILE), readable by its owner only;',
      'copy it to the machines that run mailroom outbox serve. Run again, it upgrades the schema and changes nothing else.',
    ].join('\n'),
    options: {
      ...DATABASE_OPTION,
      admin: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'office-name': { type: 'string' },
      'sender-key-out': { type: 'string' },
    },
    async run(ctx, values) {
      const missing = [
        ...(typeof values.database !== 'string' ? [{ path: '--database', message: 'Required: the database owner\'s postgres:// URL' }] : []),
        ...(typeof values.admin !== 'string' ? [{ path: '--admin', message: 'Required: the administrator\'s login role' }] : []),
        ...(!values['password-stdin'] ? [{ path: '--password-stdin', message: 'Required: the administrator\'s password comes from standard input' }] : []),
      ];
      if (missing.length > 0) throw new CliError({ code: 'invalid-input', message: missing.map((m) => `${m.path}: ${m.message}`).join('; '), fields: missing });
      const connection = connectionFor(ctx, values);
      const keyOut = typeof values['sender-key-out'] === 'string' ? values['sender-key-out'] : ctx.io.env.MAILROOM_SENDER_KEY_FILE;
      const report = unwrap(
        await initOffice({
          connection,
          adminRole: values.admin as string,
          adminPassword: (await password(ctx, values)) ?? '',
          ...(typeof values['office-name'] === 'string' ? { officeName: values['office-name'] } : {}),
          ...(keyOut ? { senderKeyOut: path.resolve(ctx.io.cwd, keyOut) } : {}),
        }),
      );
      if (ctx.json) printJson(ctx.io, { ok: true, ...report });
      else {
        const out = ctx.io.stdout;
        out.write(`Office database ${report.database.host}:${report.database.port}/${report.database.name}\n`);
        out.write(
          report.schema.applied.length > 0
            ? `Schema: version ${report.schema.from} -> ${report.schema.to} (${report.schema.applied.map((s) => `${s.version} ${s.name}`).join(', ')})\n`
            : `Schema: version ${report.schema.to}, up to date\n`,
        );
        out.write(`Administrator ${report.admin.role}: ${report.admin.created ? 'login role created' : 'login role already there (password unchanged)'}\n`);
        out.write(`${report.senderKey.note}\n`);
      }
      return EXIT.ok;
    },
  },
  {
    name: 'office add-user',
    ownConnection: true,
    summary: 'Add a Mailroom user: a login role in the office database, as staff, administrator or sender',
    usage: 'mailroom office add-user ROLE [--role staff|admin|sender] [--name N] [--email A] [--password-stdin] [--database URL] [--json]',
    details: [
      'Run by an administrator, connected with MAILROOM_DATABASE_URL (or PGHOST, PGUSER, ... and ~/.pgpass) as themselves.',
      'With --password-stdin a new login role ROLE is made with the password on the first line of standard input;',
      'without it, an existing ordinary login role ROLE becomes a Mailroom user.',
    ].join('\n'),
    positionals: { min: 1, max: 1 },
    options: {
      ...DATABASE_OPTION,
      role: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
    async run(ctx, values, [role]) {
      const kind = (values.role ?? 'staff') as string;
      if (!(KINDS as readonly string[]).includes(kind)) {
        throw new CliError({ code: 'invalid-input', message: `--role: choose one of ${KINDS.join(', ')}; not "${kind}"`, fields: [{ path: '--role', message: `Choose one of: ${KINDS.join(', ')}` }] });
      }
      const connection = connectionFor(ctx, values);
      const pw = await password(ctx, values);
      const result = unwrap(
        await addUser({
          connection,
          role: role as string,
          kind: kind as OfficeRoleKind,
          ...(typeof values.name === 'string' ? { name: values.name } : {}),
          ...(typeof values.email === 'string' ? { email: values.email } : {}),
          ...(pw !== undefined ? { password: pw } : {}),
        }),
      );
      if (ctx.json) printJson(ctx.io, { ok: true, user: result });
      else ctx.io.stdout.write(`Added ${result.role} as ${result.kind === 'admin' ? 'an administrator' : result.kind === 'sender' ? 'a sender' : 'staff'}.\n`);
      return EXIT.ok;
    },
  },
  {
    name: 'office status',
    ownConnection: true,
    summary: 'The office database, its schema version, who you are connected as, and the senders seen in the last minute',
    usage: 'mailroom office status [--database URL] [--json]',
    options: { ...DATABASE_OPTION },
    async run(ctx, values) {
      const store = new OfficeStore(connectionFor(ctx, values), { max: 1 });
      try {
        const status = unwrap(await store.status());
        if (ctx.json) printJson(ctx.io, { ok: true, ...status });
        else {
          const out = ctx.io.stdout;
          out.write(`Database:       ${status.database.host}:${status.database.port}/${status.database.name}${status.officeName ? ` (${status.officeName})` : ''}\n`);
          const schemaNote = status.newerThanThis
            ? ' - newer than this Mailroom; update Mailroom'
            : status.upgradeNeeded
              ? ` - this Mailroom expects ${status.expectedVersion}; the database owner runs mailroom office init to upgrade`
              : '';
          out.write(`Schema version: ${status.schemaVersion}${schemaNote}\n`);
          out.write(`Connected as:   ${status.role} (${status.kind ?? 'not a Mailroom user'}${status.admin ? ', administrator' : ''})\n`);
          out.write(`Senders seen in the last minute: ${status.senders.length === 0 ? 'none' : status.senders.map((s) => `${s.role}/${s.instance}${s.host ? ` on ${s.host}` : ''}`).join(', ')}\n`);
        }
        return EXIT.ok;
      } finally {
        await store.close();
      }
    },
  },
  {
    name: 'office import',
    ownConnection: true,
    summary: 'Move a file-mode install (settings, users, passwords) into the office database',
    usage: 'mailroom office import --data-dir DIR [--database URL] [--json]',
    details: [
      'Run by an administrator. DIR is the file-mode data folder (it holds settings.json).',
      'Users map to database roles by account name (without DOMAIN\\, in lower case); those without a login role yet are listed: add them with mailroom office add-user.',
      'Passwords and Microsoft 365 sign-ins are sealed to the office key; those kept in the desktop app\'s keychain cannot be read here and are listed.',
      'All or nothing: on any error nothing is changed.',
    ].join('\n'),
    options: { ...DATABASE_OPTION, 'data-dir': { type: 'string' } },
    async run(ctx, values) {
      if (typeof values['data-dir'] !== 'string') {
        throw new CliError({ code: 'invalid-input', message: '--data-dir: Required: the file-mode data folder', fields: [{ path: '--data-dir', message: 'Required' }] });
      }
      const connection = connectionFor(ctx, values);
      const report = unwrap(await importFileMode({ connection, dataDir: path.resolve(ctx.io.cwd, values['data-dir']) }));
      if (ctx.json) printJson(ctx.io, { ok: true, ...report });
      else {
        const out = ctx.io.stdout;
        out.write(`Imported ${report.profiles} profile(s) and ${report.users.length} user(s); settings revision ${report.revision}.\n`);
        out.write(`Passwords and sign-ins moved: ${report.secrets.moved.length}\n`);
        for (const s of report.secrets.notMoved) out.write(`  not moved: ${s.name}: ${s.reason}\n`);
        if (report.withoutLogin.length > 0) out.write(`No login role yet (add with mailroom office add-user): ${report.withoutLogin.join(', ')}\n`);
      }
      return EXIT.ok;
    },
  },
];
