// Where the office database is and how to reach it: MAILROOM_DATABASE_URL (postgres:// or
// postgresql://) with libpq's conventions for what the URL leaves out: PGHOST, PGPORT, PGUSER,
// PGPASSWORD, PGDATABASE, PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY, PGAPPNAME,
// PGCONNECT_TIMEOUT and the password file (PGPASSFILE or ~/.pgpass). The config handed to
// node-postgres is complete, so it reads no environment of its own and the TLS rules are libpq's:
//
//   sslmode disable / allow / prefer   no TLS (node-postgres cannot fall back between the two)
//   sslmode require                    TLS; the certificate is checked only when a root
//                                       certificate is given (as libpq does)
//   sslmode verify-ca                  TLS, the certificate must chain to sslrootcert
//   sslmode verify-full                TLS, chain and host name checked
//
// sslrootcert=system uses the system's trusted certificates.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import pg from 'pg';
import { fail, ok, type FieldError, type Result } from '../../../preload/contract';

export const DATABASE_URL_VARIABLE = 'MAILROOM_DATABASE_URL';

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface OfficeConnection {
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode: SslMode;
  /** The node-postgres config; holds the password, so never print it. */
  config: pg.ClientConfig;
}

export interface ConnectionInput {
  /** A URL given on the command line; else MAILROOM_DATABASE_URL; else PG* alone. */
  url?: string;
  /** How the URL's source is named in errors: "--database" or "MAILROOM_DATABASE_URL". */
  field?: string;
  env?: NodeJS.ProcessEnv;
  homedir?: string;
  applicationName?: string;
}

/** Where the connection leads, for people: host, port, database and role, never the password. */
export function describeConnection(c: Pick<OfficeConnection, 'host' | 'port' | 'database' | 'user'>): string {
  return `${c.user}@${c.host.startsWith('/') ? `[${c.host}]` : c.host}:${c.port}/${c.database}`;
}

/**
 * Reads the URL and the environment into a complete connection, or an invalid-input error naming
 * the field at fault (the URL's part, or the environment variable).
 */
export function resolveConnection(input: ConnectionInput = {}): Result<OfficeConnection> {
  const env = input.env ?? process.env;
  const home = input.homedir ?? os.homedir();
  const text = input.url ?? env[DATABASE_URL_VARIABLE];
  const field = input.url !== undefined ? (input.field ?? '--database') : DATABASE_URL_VARIABLE;
  const bad = (message: string, path = field): Result<OfficeConnection> => fail('invalid-input', `${path}: ${message}`, [{ path, message }]);

  let fromUrl: { host?: string; port?: string; user?: string; password?: string; database?: string; params: URLSearchParams } = { params: new URLSearchParams() };
  if (text !== undefined && text.trim() !== '') {
    let url: URL;
    try {
      url = new URL(text.trim());
    } catch {
      return bad('Not a URL; expected postgres://ROLE@HOST:PORT/DATABASE');
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      return bad(`Expected a postgres:// or postgresql:// URL, not ${url.protocol}//`);
    }
    const decode = (v: string) => {
      try {
        return decodeURIComponent(v);
      } catch {
        return undefined;
      }
    };
    const user = decode(url.username);
    const password = decode(url.password);
    const database = decode(url.pathname.replace(/^\//, ''));
    if (user === undefined || password === undefined || database === undefined) return bad('The URL holds a badly escaped character (% must be followed by two hex digits)');
    if (database.includes('/')) return bad(`The database name "${database}" contains "/"`);
    fromUrl = {
      host: url.hostname ? url.hostname.replace(/^\[(.*)\]$/, '$1') : undefined,
      port: url.port || undefined,
      user: user || undefined,
      password: password || undefined,
      database: database || undefined,
      params: url.searchParams,
    };
    const known = new Set(['host', 'port', 'user', 'password', 'dbname', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'application_name', 'connect_timeout']);
    for (const key of url.searchParams.keys()) {
      if (!known.has(key)) return bad(`Unknown parameter "${key}" (known: ${[...known].join(', ')})`, `${field} ?${key}`);
    }
  }
  const param = (name: string) => fromUrl.params.get(name) ?? undefined;
  const pick = (fromUrlValue: string | undefined, envName: string) => (fromUrlValue !== undefined && fromUrlValue !== '' ? fromUrlValue : env[envName] || undefined);

  const host = pick(param('host') ?? fromUrl.host, 'PGHOST') ?? 'localhost';
  const portText = pick(param('port') ?? fromUrl.port, 'PGPORT') ?? '5432';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    return bad(`Enter a port from 1 to 65535, not "${portText}"`, param('port') ?? fromUrl.port ? `${field} port` : 'PGPORT');
  }
  const user = pick(param('user') ?? fromUrl.user, 'PGUSER') ?? os.userInfo().username;
  const database = pick(param('dbname') ?? fromUrl.database, 'PGDATABASE') ?? user;
  let password = pick(param('password') ?? fromUrl.password, 'PGPASSWORD');
  if (password === undefined) password = passwordFromFile({ host, port, database, user, env, home });

  const modeText = pick(param('sslmode'), 'PGSSLMODE') ?? 'prefer';
  if (!(SSL_MODES as readonly string[]).includes(modeText)) {
    return bad(`Choose one of: ${SSL_MODES.join(', ')}; not "${modeText}"`, param('sslmode') ? `${field} sslmode` : 'PGSSLMODE');
  }
  const sslmode = modeText as SslMode;
  const problems: FieldError[] = [];
  const readFile = (value: string | undefined, name: string, envName: string, fallback?: string): string | undefined => {
    const file = value ?? env[envName] ?? fallback;
    if (!file) return undefined;
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (error) {
      if (value === undefined && env[envName] === undefined) return undefined; // the default file is optional
      problems.push({ path: value !== undefined ? `${field} ${name}` : envName, message: `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
      return undefined;
    }
  };
  let ssl: pg.ClientConfig['ssl'] = false;
  if (sslmode === 'require' || sslmode === 'verify-ca' || sslmode === 'verify-full') {
    const rootSetting = param('sslrootcert') ?? env.PGSSLROOTCERT;
    const systemRoots = rootSetting === 'system';
    const ca = systemRoots ? undefined : readFile(param('sslrootcert'), 'sslrootcert', 'PGSSLROOTCERT', path.join(home, '.postgresql', 'root.crt'));
    const cert = readFile(param('sslcert'), 'sslcert', 'PGSSLCERT', path.join(home, '.postgresql', 'postgresql.crt'));
    const key = cert ? readFile(param('sslkey'), 'sslkey', 'PGSSLKEY', path.join(home, '.postgresql', 'postgresql.key')) : undefined;
    if (sslmode !== 'require' && !ca && !systemRoots && problems.length === 0) {
      problems.push({
        path: param('sslmode') ? `${field} sslmode` : 'PGSSLMODE',
        message: `${sslmode} needs the server's root certificate: give sslrootcert (or PGSSLROOTCERT, or ~/.postgresql/root.crt; "system" for the system's)`,
      });
    }
    const verify = sslmode !== 'require' || ca !== undefined || systemRoots;
    ssl = {
      rejectUnauthorized: verify,
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      // SNI carries a host name only, never an address or a socket folder.
      ...(host.startsWith('/') || isIP(host) ? {} : { servername: host }),
      // verify-ca (and require with a root certificate) checks the chain, not the host name.
      ...(verify && sslmode !== 'verify-full' ? { checkServerIdentity: () => undefined } : { checkServerIdentity }),
    };
  }
  if (problems.length > 0) return fail('invalid-input', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);

  const timeoutText = pick(param('connect_timeout'), 'PGCONNECT_TIMEOUT');
  const timeout = timeoutText !== undefined && /^\d+$/.test(timeoutText) && Number(timeoutText) > 0 ? Number(timeoutText) * 1000 : 15_000;
  const config: pg.ClientConfig = {
    host,
    port,
    user,
    database,
    ssl,
    connectionTimeoutMillis: timeout,
    application_name: pick(param('application_name'), 'PGAPPNAME') ?? input.applicationName ?? 'mailroom',
    // An empty password is "none": the server asks, and the sign-in fails with its own message.
    password: password ?? '',
  };
  return ok({ host, port, database, user, sslmode, config });
}

/** Opens a pool on the connection; `max` defaults to node-postgres's own. */
export function openPool(connection: OfficeConnection, options: { max?: number } = {}): pg.Pool {
  return new pg.Pool({ ...connection.config, ...(options.max ? { max: options.max } : {}) });
}

/** One client on the connection, connected. */
export async function openClient(connection: OfficeConnection): Promise<pg.Client> {
  const client = new pg.Client(connection.config);
  await client.connect();
  return client;
}

/**
 * The password for this connection from the password file, as libpq reads it: the first line
 * whose host, port, database and user match (* matches anything, \: and \\ escape). The file is
 * ignored where others could read it, as libpq does.
 */
export function passwordFromFile(target: { host: string; port: number; database: string; user: string; env: NodeJS.ProcessEnv; home: string }): string | undefined {
  const file = target.env.PGPASSFILE || path.join(target.home, '.pgpass');
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return undefined;
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) return undefined;
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const host = target.host.startsWith('/') ? 'localhost' : target.host;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields: string[] = [];
    let current = '';
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (ch === '\\' && i + 1 < line.length) current += line[++i];
      else if (ch === ':' && fields.length < 4) {
        fields.push(current);
        current = '';
      } else current += ch;
    }
    fields.push(current);
    if (fields.length !== 5) continue;
    const [h, p, d, u, pw] = fields as [string, string, string, string, string];
    const match = (pattern: string, value: string) => pattern === '*' || pattern === value;
    if (match(h, host) && match(p, String(target.port)) && match(d, target.database) && match(u, target.user)) return pw;
  }
  return undefined;
}
