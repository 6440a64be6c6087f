// TLS to the office database, against a real PostgreSQL server with a certificate from a test CA:
// each sslmode does what libpq's does.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConnection } from '../../main/services/office/connection';
import { OfficeStore } from '../../main/services/office/office-store';
import { startPostgres, type PgCluster } from '../helpers/postgres';
import { createTestCa } from '../helpers/test-ca';
import { tempDir } from '../helpers/temp-dir';

let cluster: PgCluster;
let work: { dir: string; cleanup: () => void };
let caFile: string;
let otherCaFile: string;

beforeAll(async () => {
  work = tempDir('mailroom-office-tls-');
  cluster = await startPostgres();
  const ca = createTestCa();
  // The certificate names "localhost" only: connecting to 127.0.0.1 is a host name mismatch.
  const server = ca.issue(['localhost']);
  caFile = path.join(work.dir, 'ca.pem');
  otherCaFile = path.join(work.dir, 'other-ca.pem');
  fs.writeFileSync(caFile, ca.cert);
  fs.writeFileSync(otherCaFile, createTestCa('Another CA').cert);
  const certDir = path.join(work.dir, 'server');
  fs.mkdirSync(certDir);
  fs.writeFileSync(path.join(certDir, 'server.crt'), server.cert);
  fs.writeFileSync(path.join(certDir, 'server.key'), server.key, { mode: 0o600 });
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    // The server runs as the postgres account, which must own its key.
    fs.chmodSync(work.dir, 0o755);
    execFileSync('chown', ['-R', 'postgres:postgres', certDir]);
  }
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  try {
    await admin.query(`ALTER SYSTEM SET ssl_cert_file = ${pg.escapeLiteral(path.join(certDir, 'server.crt'))}`);
    await admin.query(`ALTER SYSTEM SET ssl_key_file = ${pg.escapeLiteral(path.join(certDir, 'server.key'))}`);
    await admin.query(`ALTER SYSTEM SET ssl = on`);
    await admin.query('SELECT pg_reload_conf()');
  } finally {
    await admin.end();
  }
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  work?.cleanup();
});

/** Connects with `query` added to the URL; whether the session is encrypted, or the error's message. */
async function tryConnect(query: string): Promise<{ ok: true; ssl: boolean } | { ok: false; code: string; message: string }> {
  const c = resolveConnection({ url: `${cluster.url()}?${query}`, env: {}, homedir: work.dir });
  if (!c.ok) throw new Error(c.error.message);
  const store = new OfficeStore(c.value, { max: 1 });
  try {
    const me = await store.whoami();
    if (!me.ok) return { ok: false, code: me.error.code, message: me.error.message };
    const client = new pg.Client(c.value.config);
    await client.connect();
    try {
      const row = await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      return { ok: true, ssl: row.rows[0]?.ssl === true };
    } finally {
      await client.end();
    }
  } finally {
    await store.close();
  }
}

describe('TLS to the office database', () => {
  it('waits for the server to take its certificate', async () => {
    await expect.poll(async () => (await tryConnect('sslmode=require')).ok, { timeout: 5000 }).toBe(true);
  });

  it('disable: not encrypted; require: encrypted without checking the certificate', async () => {
    expect(await tryConnect('sslmode=disable')).toEqual({ ok: true, ssl: false });
    expect(await tryConnect('sslmode=require')).toEqual({ ok: true, ssl: true });
  });

  it('verify-ca: the chain must lead to the given root, the host name is not checked', async () => {
    expect(await tryConnect(`sslmode=verify-ca&sslrootcert=${encodeURIComponent(caFile)}`)).toEqual({ ok: true, ssl: true });
    const other = await tryConnect(`sslmode=verify-ca&sslrootcert=${encodeURIComponent(otherCaFile)}`);
    expect(other).toMatchObject({ ok: false, code: 'unavailable' });
    expect(!other.ok && other.message).toMatch(/TLS connection failed/);
    // require with a root certificate checks the chain too, as libpq does.
    expect(await tryConnect(`sslmode=require&sslrootcert=${encodeURIComponent(otherCaFile)}`)).toMatchObject({ ok: false, code: 'unavailable' });
  });

  it('verify-full: the host name must match the certificate as well', async () => {
    const mismatch = await tryConnect(`sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`);
    expect(mismatch).toMatchObject({ ok: false, code: 'unavailable' });
    expect(!mismatch.ok && mismatch.message).toMatch(/127\.0\.0\.1|altnames|Hostname/i);
    const c = resolveConnection({ url: cluster.url().replace('127.0.0.1', 'localhost') + `?sslmode=verify-full&sslrootcert=${encodeURIComponent(caFile)}`, env: {}, homedir: work.dir });
    if (!c.ok) throw new Error(c.error.message);
    const store = new OfficeStore(c.value, { max: 1 });
    const me = await store.whoami();
    await store.close();
    // localhost may resolve to ::1 first, where this cluster does not listen: only a TLS failure would be wrong.
    if (!me.ok) expect(me.error.message).not.toMatch(/TLS|certificate/);
  });
});
