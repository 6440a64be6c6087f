// mailroom policy show, and the other commands under a machine policy: what IT runs to check a
// deployment. The policy is a JSON file named by MAILROOM_POLICY_FILE, as on a Linux machine.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBuilt, mailroom, mailroomProcess } from '../helpers/cli';
import { tempDir } from '../helpers/temp-dir';
import { PolicyView } from '../../preload/contract';

let dir: string;
let cleanup: () => void;
let policyFile: string;

const run = (args: string[]) => mailroom(args, { dataDir: path.join(dir, 'data'), env: { MAILROOM_POLICY_FILE: policyFile } });

function writePolicy(doc: unknown): void {
  fs.writeFileSync(policyFile, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
}

const POLICY = {
  general: { alertFrom: 'alerts@contoso.test', debug: { enabled: 1, retentionDays: 'a fortnight' } },
  'mail.compose': 'builtin',
  'smtp.profiles': JSON.stringify([{ id: 'head-office', name: 'Head office', host: 'smtp.contoso.test', port: '587', security: 'starttls-required' }]),
  'general.colour': 'blue',
};

beforeAll(() => ensureBuilt());
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  policyFile = path.join(dir, 'policy.json');
  fs.mkdirSync(path.join(dir, 'data'));
});
afterEach(() => cleanup());

describe('mailroom policy show', () => {
  it('lists what is in force with its source, what was ignored and why, and the places looked at; exit 0 with problems', async () => {
    writePolicy(POLICY);
    const out = await run(['policy', 'show']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toBe('');
    const lines = out.stdout.split('\n');
    expect(lines[0]).toBe('7 settings are set by machine policy (locked for everyone):');
    const row = (pathText: string) => lines.find((l) => l.trimStart().startsWith(pathText + ' '));
    expect(row('general.alertFrom')).toMatch(new RegExp(`^  general\\.alertFrom +"alerts@contoso\\.test" +${escape(policyFile)}$`));
    expect(row('general.debug.enabled')).toMatch(/ true +/);
    expect(row('smtp.profiles.head-office.port')).toMatch(/ 587 +/);
    expect(out.stdout).toContain('Ignored (2):');
    expect(out.stdout).toContain(`  ${policyFile}: general.debug.retentionDays: Enter a number of days (the policy gives "a fortnight")`);
    expect(out.stdout).toContain(`  ${policyFile}: general.colour: Not a setting a policy can set`);
    expect(out.stdout).toContain(`Places looked at, the first to set a setting wins:\n  ${policyFile}  read\n`);
  });

  it('prints one PolicyView document with --json', async () => {
    writePolicy(POLICY);
    const out = await run(['policy', 'show', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const view = PolicyView.parse(JSON.parse(out.stdout));
    expect(view.sources).toEqual([{ location: policyFile, found: true }]);
    expect(view.entries).toContainEqual({ path: 'smtp.profiles.head-office.host', value: 'smtp.contoso.test', source: policyFile });
    expect(view.entries).toContainEqual({ path: 'general.debug.enabled', value: true, source: policyFile });
    expect(view.problems.map((p) => p.path)).toEqual(['general.debug.retentionDays', 'general.colour']);
  });

  it('says when nothing is set, and reports a file that cannot be read as JSON without failing', async () => {
    const none = await run(['policy', 'show']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe(`No setting is set by machine policy.\n\nPlaces looked at, the first to set a setting wins:\n  ${policyFile}  nothing there\n`);
    writePolicy('{ "general": ');
    const broken = await run(['policy', 'show', '--json']);
    expect(broken.code).toBe(0);
    expect(JSON.parse(broken.stdout)).toMatchObject({ sources: [{ location: policyFile, found: true }], entries: [], problems: [{ path: '', message: expect.stringMatching(/^Not valid JSON/) }] });
  });

  it('prints nothing but the document on standard output from the real binary', async () => {
    writePolicy(POLICY);
    const out = await mailroomProcess(['policy', 'show', '--json'], { dataDir: path.join(dir, 'data'), env: { MAILROOM_POLICY_FILE: policyFile } });
    expect(out.code, out.stderr).toBe(0);
    expect(PolicyView.safeParse(JSON.parse(out.stdout)).success).toBe(true);
  });
});

describe('the other commands under a policy', () => {
  it('show the policy’s values, take a profile by id, and refuse to change a locked setting (exit 1, on stderr)', async () => {
    writePolicy(POLICY);
    expect((await run(['settings', 'get', 'general.alertFrom'])).stdout).toBe('alerts@contoso.test\n');
    expect((await run(['settings', 'get', 'smtp.profiles.head-office.port'])).stdout).toBe('587\n');
    const list = await run(['profile', 'list']);
    expect(list.stdout).toMatch(/^Head office \(default\): smtp\.contoso\.test:587, starttls-required/);

    const refused = await run(['settings', 'set', 'general.alertFrom', 'me@contoso.test']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(`error: Set by your organisation, so nobody can change it here: general.alertFrom (${policyFile}). Nothing was changed.\n`);
    const json = await run(['profile', 'set', 'Head office', '--host', 'elsewhere.contoso.test', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'forbidden', fields: [{ path: 'smtp.profiles.head-office.host' }] } });
    const removed = await run(['profile', 'remove', 'Head office']);
    expect(removed.code).toBe(1);

    // What the policy leaves alone is changed as ever.
    const username = await run(['settings', 'set', 'smtp.profiles.head-office.username', 'mailer@contoso.test']);
    expect(username.code, username.stderr).toBe(0);
    expect((await run(['settings', 'get', 'smtp.profiles.head-office.username'])).stdout).toBe('mailer@contoso.test\n');
  });

  it('leave a locked field where the policy has it when another change would move it, as the dialog does', async () => {
    // The policy sets the port but not the security mode: a new mode does not take the port along.
    writePolicy({ 'smtp.profiles': JSON.stringify([{ id: 'head-office', name: 'Head office', host: 'smtp.contoso.test', port: '587' }]) });
    const tls = await run(['profile', 'set', 'Head office', '--security', 'tls', '--username', 'mailer@contoso.test', '--from-address', 'invoices@contoso.test']);
    expect(tls.code, tls.stderr).toBe(0);
    expect((await run(['profile', 'list'])).stdout).toMatch(/^Head office \(default\): smtp\.contoso\.test:587, tls,/);
    // Nor does OAuth2 move the host Microsoft 365 would imply; the security mode, not locked, follows.
    const oauth = await run(['profile', 'set', 'Head office', '--auth-model', 'oauth2', '--client-id', '11111111-2222-3333-4444-555555555555']);
    expect(oauth.code, oauth.stderr).toBe(0);
    expect((await run(['settings', 'get', 'smtp.profiles.head-office.host'])).stdout).toBe('smtp.contoso.test\n');
    expect((await run(['settings', 'get', 'smtp.profiles.head-office.security'])).stdout).toBe('starttls-required\n');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
