// A throw-away PostgreSQL cluster on loopback for the office-mode tests: its own folder, socket
// folder and port, a superuser of its own with a password, SCRAM for every connection. Removed on
// stop(). Debian's binaries live in /usr/lib/postgresql/<major>/bin; `initdb` refuses to run as
// root, so as root the cluster belongs to the `postgres` account.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface PgCluster {
  host: string;
  port: number;
  /** The cluster's superuser (it owns the databases it creates). */
  superuser: string;
  superuserPassword: string;
  /** A postgres:// URL for `role` and `password` on `database` (default: the test database). */
  url(role?: string, password?: string, database?: string): string;
  /** The database made for this cluster's test. */
  database: string;
  /** The server's own log so far (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

/** The folder of PostgreSQL's server programs, or undefined when none is installed. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env.MAILROOM_PG_BIN;
  if (fromEnv && fs.existsSync(path.join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (fs.existsSync(root)) {
    const majors = fs
      .readdirSync(root)
      .filter((d) => fs.existsSync(path.join(root, d, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0]) return path.join(root, majors[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster (about 2 s) with one database, `mailroom_test`, owned by the superuser. Throws
 * with the server's log when it does not come up.
 */
export async function startPostgres(options: { database?: string } = {}): Promise<PgCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql); the office tests need its server programs.');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-pg-'));
  const data = path.join(base, 'data');
  const logFile = path.join(base, 'server.log');
  const pwFile = path.join(base, 'pw');
  const superuser = 'mailroom_test_owner';
  const superuserPassword = crypto.randomBytes(18).toString('base64url');
  fs.writeFileSync(pwFile, `${superuserPassword}\n`, { mode: 0o600 });
  const run = (program: string, args: string[]) => {
    const argv = asRoot ? ['-u', 'postgres', '--', path.join(bin, program), ...args] : args;
    const result = spawnSync(asRoot ? 'runuser' : path.join(bin, program), argv, { encoding: 'utf8', cwd: base });
    if (result.status !== 0) {
      const serverLog = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      throw new Error(`${program} failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}\n${serverLog}`);
    }
  };
  if (asRoot) {
    // The postgres account must reach the folder (mkdtemp makes it 0700) and own it.
    fs.chmodSync(base, 0o755);
    execFileSync('chown', ['-R', 'postgres:postgres', base]);
  }
  run('initdb', ['-D', data, '-A', 'scram-sha-256', `--pwfile=${pwFile}`, '-U', superuser, '--no-sync', '-E', 'UTF8', '--locale=C']);
  fs.rmSync(pwFile, { force: true });
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    data,
    '-o',
    `-k ${base} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
    '-l',
    logFile,
    '-w',
    'start',
  ]);
  const database = options.database ?? 'mailroom_test';
  const host = '127.0.0.1';
  const url = (role = superuser, password = superuserPassword, db = database) =>
    `postgres://${encodeURIComponent(role)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(db)}`;
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: url(superuser, superuserPassword, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  let stopped = false;
  return {
    host,
    port,
    superuser,
    superuserPassword,
    database,
    url,
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(base, { recursive: true, force: true });
      }
    },
  };
}
