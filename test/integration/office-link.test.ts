// The office database set on the General tab, against a real PostgreSQL: checked by signing in
// before anything is saved, the password kept encrypted and out of the address, used at the next
// start; a saved one that cannot be reached falls back to this computer's settings with a notice,
// while one set by MAILROOM_DATABASE_URL stops the start.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { resolveConnection } from '../../main/services/office/connection';
import { addUser, initOffice } from '../../main/services/office/office-admin';
import { OFFICE_LINK_FILE } from '../../main/services/office/office-link';
import { startPostgres, type PgCluster } from '../helpers/postgres';
import { closedPort } from '../helpers/smtp-servers';
import { tempDir } from '../helpers/temp-dir';

let cluster: PgCluster;
let work: { dir: string; cleanup: () => void };
const TESS_PW = 'Tess-link-pw-9';

const options = (dataDir: string, env: NodeJS.ProcessEnv = {}) => ({ dataDir, shell: 'browser' as const, version: 't', createFile: createConfFile, env });

beforeAll(async () => {
  work = tempDir('mailroom-office-link-');
  cluster = await startPostgres();
  const owner = resolveConnection({ url: cluster.url(), env: {} });
  if (!owner.ok) throw new Error(owner.error.message);
  const init = await initOffice({ connection: owner.value, adminRole: 'ada', adminPassword: 'ada pw', senderKeyOut: path.join(work.dir, 'sender.key') });
  if (!init.ok) throw new Error(init.error.message);
  const ada = resolveConnection({ url: cluster.url('ada', 'ada pw'), env: {} });
  if (!ada.ok) throw new Error(ada.error.message);
  for (const [role, kind, password] of [['tess', 'staff', TESS_PW], ['sid', 'sender', 'sid pw']] as const) {
    const added = await addUser({ connection: ada.value, role, kind, password });
    if (!added.ok) throw new Error(added.error.message);
  }
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  work?.cleanup();
});

const address = (role: string) => cluster.url(role, 'x').replace(':x@', '@');

describe('the Office database of the General tab', () => {
  it('saves nothing until the address and password sign in as a Mailroom user, and names the field at fault', async () => {
    const dataDir = path.join(work.dir, 'checks');
    const opened = await openServices(options(dataDir));
    if (!opened.ok) throw new Error(opened.error.message);
    const link = opened.value.officeLink;
    const field = async (url: string, password?: string) => {
      const saved = await link.save(url, password);
      return saved.ok ? 'saved' : saved.error.fields?.map((f) => f.path).join(',');
    };
    expect(await field('mysql://tess@db/mailroom', TESS_PW)).toBe('officeDatabase');
    expect(await field(cluster.url('tess', TESS_PW), TESS_PW)).toBe('officeDatabase');
    expect(await field(address('tess'), 'wrong')).toBe('officeDatabasePassword');
    expect(await field(address('tess'))).toBe('officeDatabasePassword');
    expect(await field(address('sid'), 'sid pw')).toBe('officeDatabase');
    expect(await field(`postgres://tess@127.0.0.1:${await closedPort()}/mailroom`, TESS_PW)).toBe('officeDatabase');
    expect(fs.existsSync(path.join(dataDir, OFFICE_LINK_FILE))).toBe(false);
    expect(link.status('file')).toMatchObject({ url: '', passwordSet: false });

    const saved = await link.save(address('tess'), TESS_PW);
    expect(saved).toEqual({ ok: true, value: { role: 'tess', admin: false, database: expect.stringContaining('tess@') } });
    expect(link.status('file')).toEqual({ url: address('tess'), passwordSet: true, inUse: 'file', fromEnvironment: false });
    const files = (fs.readdirSync(dataDir, { recursive: true }) as string[]).map((f) => path.join(dataDir, f)).filter((f) => fs.statSync(f).isFile());
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) expect(fs.readFileSync(file, 'utf8'), file).not.toContain(TESS_PW);
    opened.value.oauth.close();

    // The next start is in office mode, as tess.
    const next = await openServices(options(dataDir));
    if (!next.ok) throw new Error(next.error.message);
    try {
      expect(next.value.office).toBeDefined();
      expect(next.value.identity()).toMatchObject({ account: 'tess', admin: false });
      expect(next.value.info().office).toMatchObject({ role: 'tess', admin: false });
    } finally {
      next.value.oauth.close();
      await next.value.office?.close();
    }
  });

  it('falls back to this computer\'s settings with a notice when the saved database cannot be reached; MAILROOM_DATABASE_URL stops the start instead', async () => {
    const dataDir = path.join(work.dir, 'unreachable');
    fs.mkdirSync(dataDir, { recursive: true });
    const port = await closedPort();
    fs.writeFileSync(path.join(dataDir, OFFICE_LINK_FILE), JSON.stringify({ url: `postgres://tess@127.0.0.1:${port}/mailroom` }));
    const opened = await openServices(options(dataDir));
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.value.office).toBeUndefined();
    expect(opened.value.notices.list()).toMatchObject([{ level: 'error', title: 'The office database could not be reached', message: expect.stringContaining('General tab') }]);
    opened.value.oauth.close();

    const strict = await openServices(options(path.join(work.dir, 'env'), { MAILROOM_DATABASE_URL: `postgres://tess:x@127.0.0.1:${port}/mailroom` }));
    expect(strict.ok).toBe(false);
    expect(!strict.ok && strict.error.code).toBe('unavailable');
  });
});
