// Office mode end to end: a throw-away PostgreSQL set up with the mailroom command (an
// administrator, a staff member and a sender role), the sender service running, and two
// browser-mode dialogs side by side, signed in to the database as the administrator and as the
// staff member. The administrator turns off user selection and the staff dialog follows within
// 2 seconds; the staff member's message is delivered by the sender service.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { newProfile, type Settings } from '../../preload/contract';
import { startPostgres, type PgCluster } from '../helpers/postgres';
import { REPO_ROOT, startServer, type MailroomServer } from './fixtures';
import { openDialog } from './open-dialog';
import { test, expect } from './smtp-server-fixture';

const CLI = path.join(REPO_ROOT, 'bin', 'mailroom.cjs');
const PASSWORDS = { ada: 'Ada-office-pw-1', tess: 'Tess-office-pw-1', sid: 'Sid-sender-pw-1' } as const;

/** The mailroom command, as IT runs it; the password goes in on standard input. */
function mailroom(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** `mailroom outbox serve --json` until its ready line; stop() sends SIGTERM and waits. */
async function startSender(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [CLI, 'outbox', 'serve', '--json', '--instance', 'e2e'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the sender service was not ready within 20 s: ${stderr}`)), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('"ready":true')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the sender service exited (${String(code)}): ${stderr}`)));
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function invoke(server: MailroomServer, channel: string, input?: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
  const response = await fetch(`${server.origin}/api/invoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
    body: JSON.stringify({ channel, input }),
  });
  return (await response.json()) as never;
}

function emailSelectable(page: Page) {
  const compose = page.getByRole('tabpanel', { name: 'Email' }).getByRole('region', { name: 'Compose', exact: true });
  return compose.getByRole('switch', { name: 'Allow user selection' });
}

test('office mode: the staff dialog follows the administrator within 2 s, and the sender service delivers what staff send', async ({ browser, smtp }) => {
  test.slow();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-e2e-office-'));
  let cluster: PgCluster | undefined;
  const stops: (() => Promise<unknown>)[] = [];
  try {
    cluster = await startPostgres();
    const keyFile = path.join(work, 'sender.key');
    const owner = cluster.url();
    const asAda = cluster.url('ada', PASSWORDS.ada);

    // Set up by command, as IT would: the office, its first administrator, a staff member and a sender.
    const init = await mailroom(['office', 'init', '--database', owner, '--admin', 'ada', '--password-stdin', '--office-name', 'Harbour Accounts', '--sender-key-out', keyFile, '--json'], { stdin: PASSWORDS.ada });
    expect(init.code, init.stderr).toBe(0);
    const tess = await mailroom(['office', 'add-user', 'tess', '--name', 'Tess Staff', '--email', 'tess@harbour.example', '--password-stdin', '--database', asAda, '--json'], { stdin: PASSWORDS.tess });
    expect(tess.code, tess.stderr).toBe(0);
    const sid = await mailroom(['office', 'add-user', 'sid', '--role', 'sender', '--password-stdin', '--database', asAda, '--json'], { stdin: PASSWORDS.sid });
    expect(sid.code, sid.stderr).toBe(0);

    const admin = await startServer(path.join(work, 'ada-data'), [], { MAILROOM_DATABASE_URL: asAda });
    stops.push(admin.stop);
    const staff = await startServer(path.join(work, 'tess-data'), [], { MAILROOM_DATABASE_URL: cluster.url('tess', PASSWORDS.tess) });
    stops.push(staff.stop);

    // The administrator's office settings: a relay profile whose password is sealed for the senders.
    const read = await invoke(admin.server, 'settings:get');
    expect(read.ok, read.error?.message).toBe(true);
    const base = read.value as Settings;
    const profile = { ...newProfile('p-relay', 'Harbour relay'), host: smtp.host, port: smtp.port, security: 'starttls-required' as const, caFile: smtp.caFile, username: smtp.user, fromName: 'Harbour Accounts', fromAddress: 'accounts@harbour.example', timeoutSeconds: 10 };
    const settings: Settings = {
      ...base,
      general: { ...base.general, organisationName: 'Harbour Accounts Ltd', alertFrom: 'alerts@harbour.example', systemNotification: 'it@harbour.example', defaultProfile: profile.id },
      smtp: { profiles: [profile] },
      mail: { ...base.mail, compose: 'builtin', send: 'smtp', composeUserSelectable: true, sendUserSelectable: true },
    };
    const saved = await invoke(admin.server, 'settings:save', settings);
    expect(saved.ok, saved.error?.message).toBe(true);
    const secret = await invoke(admin.server, 'secrets:set-profile-password', { profileId: profile.id, password: smtp.password });
    expect(secret.ok, secret.error?.message).toBe(true);
    // The staff member cannot read it back, nor change the office's settings through the API.
    const staffSave = await invoke(staff.server, 'settings:save', { ...settings, general: { ...settings.general, organisationName: 'Not theirs' } });
    expect(staffSave.error?.code).toBe('forbidden');

    const sender = await startSender({ MAILROOM_DATABASE_URL: cluster.url('sid', PASSWORDS.sid), MAILROOM_SENDER_KEY_FILE: keyFile });
    stops.push(sender.stop);

    const adminView = await openDialog(browser, admin.server);
    stops.push(() => adminView.context.close());
    // The staff dialog is read-only: it is ready once the office's settings show.
    const staffContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    stops.push(() => staffContext.close());
    const staffView = { page: await staffContext.newPage(), pageErrors: [] as string[] };
    staffView.page.on('pageerror', (error) => staffView.pageErrors.push(error.message));
    await staffView.page.goto(staff.server.url);
    await expect(staffView.page.getByRole('textbox', { name: 'Organisation name' })).toHaveValue('Harbour Accounts Ltd');
    const adminPage = adminView.page;
    const staffPage = staffView.page;

    // The staff dialog says where the settings live and who is signed in, and is read-only for them.
    await expect(staffPage.getByRole('group', { name: 'View only' })).toContainText('Only an administrator can change these settings. Signed in to the office database as tess.');
    await expect(staffPage.getByText(/kept in the office database .*Signed in as tess, not an administrator/)).toBeVisible();
    await expect(adminPage.getByText(/Signed in as ada, an administrator/)).toBeVisible();

    // The administrator's Test connection runs on the sender service, which alone can open the saved
    // password; the steps come back as in file mode.
    await adminPage.getByRole('tab', { name: 'SMTP' }).click();
    const smtpPanel = adminPage.getByRole('tabpanel', { name: 'SMTP' });
    await smtpPanel.getByRole('button', { name: 'Test connection' }).click();
    const report = smtpPanel.getByRole('region', { name: 'Connection test' });
    await expect(report.getByRole('status')).toContainText('Passed', { timeout: 20_000 });
    await expect(report).toContainText('Sign in');

    // Their own Compose with is theirs to choose while the administrator allows it.
    const staffUsers = staffPage.getByRole('tabpanel', { name: 'Users' });
    await staffPage.getByRole('tab', { name: 'Users' }).click();
    await staffUsers.getByRole('listbox', { name: 'System users' }).getByRole('option', { name: /Tess Staff/ }).click();
    await expect(staffUsers.getByRole('combobox', { name: 'Compose with', exact: true })).toBeEnabled();

    // The administrator turns user selection off for Compose and saves.
    await adminPage.getByRole('tab', { name: 'Email' }).click();
    await expect(emailSelectable(adminPage)).toBeChecked();
    await emailSelectable(adminPage).click();
    await adminPage.getByRole('button', { name: 'Save', exact: true }).click();
    const savedAt = Date.now();
    await expect(adminPage.getByText('Settings saved')).toBeVisible();

    // Within 2 seconds the staff dialog shows Compose with as the administrator's, read-only.
    await expect(staffUsers.getByRole('textbox', { name: 'Compose with', exact: true })).toHaveValue('Use the system setting (Built-in mailer)', { timeout: 2_000 + (Date.now() - savedAt) });
    await expect(staffUsers.getByText('Allow user selection is off for Compose on the Email tab')).toBeVisible();
    // And the database refuses a change made around the dialog.
    const refused = await invoke(staff.server, 'users:set-own', { compose: 'outlook' });
    expect(refused.ok).toBe(false);

    // The staff member writes and sends a message; the sender service delivers it.
    await staffPage.getByRole('button', { name: 'New email' }).click();
    const compose = staffPage.getByRole('dialog', { name: 'New email' });
    await expect(compose.getByRole('combobox', { name: 'From' })).toHaveText('Harbour relay');
    await compose.getByRole('textbox', { name: 'To', exact: true }).fill('ap@northwind.example');
    await compose.getByRole('textbox', { name: 'Subject', exact: true }).fill('Statement for March');
    await compose.getByRole('textbox', { name: 'Message', exact: true }).click();
    await staffPage.keyboard.type('Your statement for March is attached.');
    await compose.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(compose).toBeHidden({ timeout: 20_000 });
    const toast = staffPage.getByText(/^Message-ID </);
    await expect(toast).toBeVisible();
    const messageId = ((await toast.textContent()) ?? '').replace(/^Message-ID /, '').trim();
    const received = await smtp.waitForMessage(messageId);
    expect(received.envelopeTo).toEqual(['ap@northwind.example']);
    expect(received.user).toBe(smtp.user);

    // Activity: the sender service is running, and the message is Sent, for the staff member and the administrator.
    await staffPage.getByRole('tab', { name: 'Activity' }).click();
    const staffActivity = staffPage.getByRole('tabpanel', { name: 'Activity' });
    await expect(staffActivity.getByText('A sender service is running')).toBeVisible();
    await expect(staffActivity.getByRole('row').filter({ hasText: 'Statement for March' }).getByText('Sent', { exact: true })).toBeVisible();
    await adminPage.getByRole('tab', { name: 'Activity' }).click();
    const adminActivity = adminPage.getByRole('tabpanel', { name: 'Activity' });
    await expect(adminActivity.getByRole('row').filter({ hasText: 'Statement for March' }).getByText('Sent', { exact: true })).toBeVisible();
    expect(adminView.pageErrors).toEqual([]);
    expect(staffView.pageErrors).toEqual([]);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cluster?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('the General tab points this Mailroom at the office database, with the password kept out of sight', async ({ browser }) => {
  test.slow();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-e2e-office-link-'));
  let cluster: PgCluster | undefined;
  const stops: (() => Promise<unknown>)[] = [];
  try {
    cluster = await startPostgres();
    const init = await mailroom(['office', 'init', '--database', cluster.url(), '--admin', 'ada', '--password-stdin', '--sender-key-out', path.join(work, 'sender.key'), '--json'], { stdin: PASSWORDS.ada });
    expect(init.code, init.stderr).toBe(0);
    const added = await mailroom(['office', 'add-user', 'tess', '--name', 'Tess Staff', '--password-stdin', '--database', cluster.url('ada', PASSWORDS.ada), '--json'], { stdin: PASSWORDS.tess });
    expect(added.code, added.stderr).toBe(0);
    const address = cluster.url('tess', PASSWORDS.tess).replace(`:${encodeURIComponent(PASSWORDS.tess)}@`, '@');
    expect(address).not.toContain(PASSWORDS.tess);

    // A fresh desktop in file mode: the section says so.
    const dataDir = path.join(work, 'data');
    const first = await startServer(dataDir);
    stops.push(first.stop);
    const view = await openDialog(browser, first.server);
    stops.push(() => view.context.close());
    const page = view.page;
    const section = page.getByRole('region', { name: 'Office database' });
    await expect(section.getByText(/keeps its settings in a file on this computer/)).toBeVisible();
    const addressField = section.getByRole('textbox', { name: 'Office database' });
    const passwordField = section.getByLabel('Database password');
    const check = section.getByRole('button', { name: 'Check and save' });

    // A password inside the address is refused next to the address; a wrong one next to the password.
    await addressField.fill(cluster.url('tess', PASSWORDS.tess));
    await check.click();
    await expect(section.getByText(/Leave the password out of the address/)).toBeVisible();
    await addressField.fill(address);
    await passwordField.fill('not the password');
    await check.click();
    await expect(section.getByText(/refused the sign-in of tess/)).toBeVisible();
    await expect(passwordField).toHaveAttribute('aria-invalid', 'true');

    await passwordField.fill(PASSWORDS.tess);
    await check.click();
    await expect(section.getByText(/Signed in to .* as tess\. Restart Mailroom to use it\./)).toBeVisible();
    await expect(passwordField).toHaveValue('');
    await expect(section.getByText('A password is saved, encrypted on this computer; type a new one to replace it.')).toBeVisible();
    // Kept encrypted: neither the address file nor the secrets hold the password in the clear.
    for (const file of fs.readdirSync(dataDir, { recursive: true }) as string[]) {
      const full = path.join(dataDir, file);
      if (fs.statSync(full).isFile()) expect(fs.readFileSync(full, 'utf8'), file).not.toContain(PASSWORDS.tess);
    }
    const status = await invoke(first.server, 'office:link-status');
    expect(status.value).toMatchObject({ url: address, passwordSet: true, inUse: 'file' });

    // The next start signs in to the office database as tess.
    await view.context.close();
    await first.stop();
    const second = await startServer(dataDir);
    stops.push(second.stop);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    stops.push(() => context.close());
    const office = await context.newPage();
    await office.goto(second.server.url);
    await expect(office.getByRole('group', { name: 'View only' })).toContainText('Signed in to the office database as tess.');
    await expect(office.getByRole('region', { name: 'Office database' }).getByText(/keeps its settings in the office database .* signed in as tess/)).toBeVisible();
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await cluster?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
