// The SMTP tab as an administrator uses it, against a real SMTP server on loopback (STARTTLS with a
// test CA, AUTH PLAIN/LOGIN): create a profile by name, fill it in, save, test the connection, send
// a test email the server really receives, see a wrong password explained, delete with
// confirmation. Everything is found by role and accessible name.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { defaultSettings, newProfile, type Settings, type SmtpProfile } from '../../preload/contract';
import type { MailroomServer } from './fixtures';
import { expectAccessibleInBothThemes, expectNoViolations, showWholePage } from './axe';
import { openDialog } from './open-dialog';
import { test, expect } from './smtp-server-fixture';
import { shotsDir } from './shots/shots';

const GENERAL = {
  organisationName: 'Harbour Accounts Ltd',
  alertFrom: 'alerts@harbour.example',
  systemNotification: 'it-notices@harbour.example',
};
const FROM_ADDRESS = 'accounts@harbour.example';
const PROFILE_NAME = 'Harbour relay';



function smtpTab(page: Page) {
  const panel = page.getByRole('tabpanel', { name: 'SMTP' });
  const field = (role: 'textbox' | 'spinbutton' | 'combobox' | 'switch', name: string) => panel.getByRole(role, { name, exact: true });
  return {
    tab: page.getByRole('tab', { name: 'SMTP' }),
    panel,
    filter: panel.getByRole('searchbox', { name: 'Filter profiles' }),
    list: panel.getByRole('listbox', { name: 'Server profiles' }),
    add: panel.getByRole('button', { name: 'Add', exact: true }),
    delete: panel.getByRole('button', { name: 'Delete', exact: true }),
    name: field('textbox', 'Name'),
    host: field('textbox', 'Server host'),
    port: field('spinbutton', 'Port'),
    security: field('combobox', 'Transport security'),
    minTls: field('combobox', 'Minimum TLS version'),
    verifyCert: field('switch', 'Verify server certificate'),
    caFile: field('textbox', 'CA certificate file'),
    auth: field('combobox', 'Authorisation'),
    authModel: field('combobox', 'Authentication model'),
    credentials: field('combobox', 'Credentials'),
    username: field('textbox', 'Username'),
    password: panel.getByLabel('Password', { exact: true }),
    clearPassword: panel.getByRole('button', { name: 'Clear password' }),
    fromName: field('textbox', 'From name'),
    fromAddress: field('textbox', 'From address'),
    bcc: field('textbox', 'BCC every message to'),
    timeout: field('spinbutton', 'Connection timeout (seconds)'),
    perMinute: field('spinbutton', 'Batch emails per minute'),
    maxSize: field('spinbutton', 'Maximum total attachment size (MB)'),
    notifyUser: field('textbox', 'Notify user'),
    testConnection: panel.getByRole('button', { name: 'Test connection' }),
    sendTestEmail: panel.getByRole('button', { name: 'Send test email', exact: true }),
    report: panel.getByRole('region', { name: 'Connection test' }),
    save: page.getByRole('button', { name: 'Save', exact: true }),
    revert: page.getByRole('button', { name: 'Revert', exact: true }),
  };
}

type SmtpUi = ReturnType<typeof smtpTab>;

async function fillGeneral(page: Page) {
  const general = page.getByRole('tabpanel', { name: 'General' });
  await general.getByRole('textbox', { name: 'Organisation name' }).fill(GENERAL.organisationName);
  await general.getByRole('textbox', { name: 'Alert From mailbox' }).fill(GENERAL.alertFrom);
  await general.getByRole('textbox', { name: 'System Notification mailbox' }).fill(GENERAL.systemNotification);
}

async function choose(page: Page, dropdown: Locator, option: string) {
  await dropdown.click();
  await page.getByRole('option', { name: option }).click();
  await expect(dropdown).toHaveText(option);
}

/** The row of each step in the report, with its title and the text of its Result cell. */
async function stepResults(report: Locator): Promise<{ title: string; result: string; row: Locator }[]> {
  const rows = report.getByRole('row').filter({ has: report.page().getByRole('rowheader') });
  const found: { title: string; result: string; row: Locator }[] = [];
  for (const row of await rows.all()) {
    const title = (await row.getByRole('rowheader').textContent())?.trim() ?? '';
    const result = (await row.getByRole('cell').first().textContent())?.trim() ?? '';
    found.push({ title, result, row });
  }
  return found;
}

/** The failure box: its title, then "What the server said", "Likely cause", "What to do". */
function failureBox(report: Locator) {
  return {
    title: report.getByRole('heading', { level: 4 }),
    serverSaid: report.getByRole('definition').filter({ has: report.page().locator('pre') }),
    cause: report.getByRole('term').filter({ hasText: 'Likely cause' }),
    fix: report.getByRole('term').filter({ hasText: 'What to do' }),
  };
}

function readJson(file: string): unknown {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as unknown) : null;
}

function secretNames(mailroom: MailroomServer): string[] {
  const secrets = readJson(path.join(mailroom.dataDir, 'secrets.json')) as { entries?: Record<string, string> } | null;
  return Object.keys(secrets?.entries ?? {});
}

async function invoke(mailroom: MailroomServer, channel: string, input: unknown): Promise<unknown> {
  const response = await fetch(`${mailroom.origin}/api/invoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${mailroom.token}` },
    body: JSON.stringify({ channel, input }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { ok: boolean; value?: unknown; error?: unknown };
  expect(body.error, `${channel} succeeds`).toBeUndefined();
  expect(body.ok).toBe(true);
  return body.value;
}

/** Saves settings with the given profiles straight through the API, as a previous session would have. */
async function seed(mailroom: MailroomServer, profiles: SmtpProfile[], defaultProfile = ''): Promise<Settings> {
  const base = defaultSettings();
  const settings: Settings = {
    ...base,
    general: { ...base.general, ...GENERAL, defaultProfile },
    smtp: { profiles },
  };
  return (await invoke(mailroom, 'settings:save', settings)) as Settings;
}

function profile(id: string, name: string, changes: Partial<SmtpProfile> = {}): SmtpProfile {
  return { ...newProfile(id, name), host: 'smtp.harbour.example', fromAddress: FROM_ADDRESS, username: 'relay-user', ...changes };
}

/** A loopback port nothing listens on, for a test that must fail fast. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}



async function createByFilter(page: Page, ui: SmtpUi, name: string) {
  await ui.filter.fill(name);
  await ui.filter.press('Enter');
  const confirm = page.getByRole('alertdialog', { name: `Create profile “${name}”?` });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Create' }).click();
  await expect(confirm).toBeHidden();
}

test('set up a profile, test it, send a test email, and see a wrong password explained', async ({ browser, mailroom, smtp }) => {
  const { context, page, pageErrors } = await openDialog(browser, mailroom);
  try {
    await fillGeneral(page);
    const ui = smtpTab(page);
    await ui.tab.click();
    await expect(ui.panel.getByRole('heading', { name: 'No server profiles yet' })).toBeVisible();
    await expect(ui.panel.getByText('type its name in Filter profiles and press Enter, or choose Add')).toBeVisible();

    // Typing a name nobody has and pressing Enter asks first; Cancel creates nothing.
    await ui.filter.fill(PROFILE_NAME);
    await ui.filter.press('Enter');
    const confirm = page.getByRole('alertdialog', { name: `Create profile “${PROFILE_NAME}”?` });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(confirm).toBeHidden();
    await expect(ui.list).toHaveCount(0);

    await createByFilter(page, ui, PROFILE_NAME);
    const row = ui.list.getByRole('option', { name: new RegExp(PROFILE_NAME) });
    await expect(row).toHaveAttribute('aria-selected', 'true');
    await expect(ui.name).toHaveValue(PROFILE_NAME);
    await expect(ui.host).toBeFocused();
    await expect(ui.filter).toHaveValue('');

    // A new profile starts on STARTTLS at 587; the port follows the mode while it is the mode's default.
    await expect(ui.security).toHaveText('STARTTLS if offered');
    await expect(ui.port).toHaveValue('587');
    await choose(page, ui.security, 'SSL/TLS');
    await expect(ui.port).toHaveValue('465');
    await choose(page, ui.security, 'None');
    await expect(ui.port).toHaveValue('25');
    await expect(ui.minTls).toBeDisabled();
    await choose(page, ui.security, 'STARTTLS if offered');
    await expect(ui.port).toHaveValue('587');

    // "host,port" is split when the field is left.
    await ui.host.fill(`${smtp.host},${smtp.port}`);
    await ui.host.press('Tab');
    await expect(ui.host).toHaveValue(smtp.host);
    await expect(ui.port).toHaveValue(String(smtp.port));
    await expect(row).toContainText(`${smtp.host}:${smtp.port}`);

    // A port the user chose stays when the mode changes.
    await choose(page, ui.security, 'STARTTLS required');
    await expect(ui.port).toHaveValue(String(smtp.port));

    // Old TLS versions come with a warning.
    await expect(ui.minTls).toHaveText('TLS 1.2');
    await choose(page, ui.minTls, 'TLS 1.0 (insecure)');
    await expect(ui.panel.getByText('TLS 1.0 is insecure')).toBeVisible();
    await choose(page, ui.minTls, 'TLS 1.2');
    await expect(ui.panel.getByText('TLS 1.0 is insecure')).toHaveCount(0);

    await expect(ui.verifyCert).toBeChecked();
    await ui.caFile.fill(smtp.caFile);
    await expect(ui.auth).toHaveText('Required');
    await expect(ui.authModel).toHaveText('Basic (username and password)');
    await expect(ui.credentials).toHaveText('Shared by all users');
    await ui.username.fill(smtp.user);
    await expect(ui.panel.getByText('No password saved')).toBeVisible();
    await ui.password.fill(smtp.password);
    await ui.fromName.fill('Harbour Accounts');
    await ui.fromAddress.fill(FROM_ADDRESS);

    // Save stores the profile in settings.json and the password, apart, in secrets.json.
    await ui.save.click();
    await expect(page.getByText('Settings saved')).toBeVisible();
    await expect(ui.panel.getByText('A password is saved')).toBeVisible();
    await expect(ui.password).toHaveValue('');
    await expect(ui.password).toHaveAttribute('placeholder', 'Type to replace');
    await expect(ui.save).toBeDisabled();
    const saved = mailroom.readSettingsFile() as Settings;
    expect(saved.smtp.profiles).toHaveLength(1);
    const [savedProfile] = saved.smtp.profiles;
    expect(savedProfile).toMatchObject({
      name: PROFILE_NAME,
      host: smtp.host,
      port: smtp.port,
      security: 'starttls-required',
      minTls: '1.2',
      verifyCert: true,
      caFile: smtp.caFile,
      auth: 'required',
      username: smtp.user,
      credentials: 'shared',
      fromName: 'Harbour Accounts',
      fromAddress: FROM_ADDRESS,
    });
    expect(JSON.stringify(saved), 'no password in the settings file').not.toContain(smtp.password);
    expect(secretNames(mailroom)).toEqual([`smtp-password:${savedProfile?.id}`]);
    expect(fs.readFileSync(path.join(mailroom.dataDir, 'secrets.json'), 'utf8'), 'the password is encrypted at rest').not.toContain(smtp.password);

    // Test connection: every step passes, and the TLS step names the test CA.
    await ui.testConnection.click();
    await expect(ui.report.getByRole('status')).toContainText('Passed', { timeout: 20_000 });
    const steps = await stepResults(ui.report);
    // Every step that applies passes; the two that do not say so (an IP address needs no lookup,
    // and STARTTLS encrypts after EHLO rather than from the first byte).
    expect(Object.fromEntries(steps.map((s) => [s.title, s.result]))).toEqual({
      'Look up the server name': 'Skipped',
      Connect: 'Passed',
      'Encrypt (SSL/TLS)': 'Skipped',
      'Server greeting': 'Passed',
      'Introduce (EHLO)': 'Passed',
      'Encrypt (STARTTLS)': 'Passed',
      'Sign in': 'Passed',
      'Check the sender': 'Passed',
    });
    const starttls = steps.find((s) => s.title === 'Encrypt (STARTTLS)');
    await expect(starttls?.row ?? ui.report, 'the TLS step names the issuer').toContainText(smtp.caName);
    await expect(ui.report.getByRole('heading', { level: 4 })).toHaveCount(0);

    // Send test email to the System Notification mailbox: the server gets it, with that Message-ID.
    await ui.sendTestEmail.click();
    const sendDialog = page.getByRole('dialog', { name: 'Send test email' });
    await expect(sendDialog).toBeVisible();
    const toSystem = sendDialog.getByRole('radio', { name: `System Notification mailbox: ${GENERAL.systemNotification}` });
    await expect(toSystem).toBeChecked();
    await sendDialog.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(sendDialog.getByRole('heading', { name: 'Sent' })).toBeVisible({ timeout: 20_000 });
    const messageId = ((await sendDialog.getByLabel('Message-ID').textContent()) ?? '').trim();
    expect(messageId).toMatch(/^<[^<>@\s]+@[^<>\s]+>$/);
    await expect(sendDialog.getByLabel('Server reply')).toContainText('250');
    const received = await smtp.waitForMessage(messageId);
    expect(received.headers.from).toContain(FROM_ADDRESS);
    expect(received.envelopeTo).toEqual([GENERAL.systemNotification]);
    expect(received.headers.to).toContain(GENERAL.systemNotification);
    expect(received.user).toBe(smtp.user);
    await sendDialog.getByRole('button', { name: 'Close' }).click();
    await expect(sendDialog).toBeHidden();
    // Closed, it gives the focus back to the button that opened it: the one Send test there is.
    await expect(ui.sendTestEmail).toBeFocused();
    await expect(ui.panel.getByRole('button', { name: /send test/i })).toHaveCount(1);

    // "Another address" is checked before anything is sent.
    await ui.sendTestEmail.click();
    await expect(sendDialog).toBeVisible();
    await sendDialog.getByRole('radio', { name: 'Another address' }).check();
    const recipient = sendDialog.getByRole('textbox', { name: 'Recipient' });
    await recipient.fill('not an address');
    await sendDialog.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(recipient).toHaveAttribute('aria-invalid', 'true');
    await expect(sendDialog.getByText('Enter one email address, like accounts@example.com')).toBeVisible();
    await sendDialog.getByRole('button', { name: 'Close' }).click();

    // A wrong password, typed but not saved, is what the test uses: the failure box explains the 535.
    await ui.password.fill('not the password');
    await expect(ui.panel.getByText('A new password is typed')).toBeVisible();
    await ui.testConnection.click();
    await expect(ui.report.getByRole('status')).toContainText('Failed', { timeout: 20_000 });
    const failure = failureBox(ui.report);
    await expect(failure.title).toContainText('User name or password not accepted');
    await expect(failure.serverSaid).toContainText('535');
    await expect(failure.cause).toBeVisible();
    await expect(failure.fix).toBeVisible();
    const failed = await stepResults(ui.report);
    expect(failed.map((s) => s.result)).toContain('Failed');
    expect(secretNames(mailroom), 'the typed password was not saved').toEqual([`smtp-password:${savedProfile?.id}`]);

    await showWholePage(page);
    await expectNoViolations(page, 'the SMTP tab with a failed test (light)');
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await context.close();
  }
});

/** Whether the element is wholly in sight: inside the window, above the footer, not under the editor's sticky toolbar. */
async function inSight(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const footer = document.querySelector('footer');
    const bottom = footer && getComputedStyle(footer).display !== 'none' ? footer.getBoundingClientRect().top : window.innerHeight;
    if (r.height === 0 || r.top < -1 || r.bottom > bottom + 1) return false;
    const hit = document.elementFromPoint(r.left + Math.min(8, r.width / 2), r.top + r.height / 2);
    return hit !== null && (el === hit || el.contains(hit) || hit.contains(el));
  });
}

test('Test connection of a new, unsaved profile at 800×600: Optional needs no user name or password; Required says the missing one under its field, focused and in sight', async ({ browser, mailroom, smtp }) => {
  const { context, page, pageErrors } = await openDialog(browser, mailroom);
  try {
    await page.setViewportSize({ width: 800, height: 600 });
    const ui = smtpTab(page);
    await ui.tab.click();
    await createByFilter(page, ui, PROFILE_NAME);
    await ui.host.fill(smtp.host);
    await ui.port.fill(String(smtp.port));
    await choose(page, ui.security, 'STARTTLS required');
    await ui.caFile.fill(smtp.caFile);
    const signIn = async () => (await stepResults(ui.report)).find((s) => s.title === 'Sign in');

    // Optional, no user name, no password: every connection step runs, and signing in is left out
    // for the reason that applies (not "Authorisation is None").
    await choose(page, ui.auth, 'Optional (password may be empty)');
    await expect(ui.username).toHaveValue('');
    await ui.testConnection.click();
    await expect(ui.report.getByRole('status')).toContainText('Passed', { timeout: 20_000 });
    const optional = Object.fromEntries((await stepResults(ui.report)).map((s) => [s.title, s.result]));
    expect(optional).toMatchObject({ Connect: 'Passed', 'Server greeting': 'Passed', 'Introduce (EHLO)': 'Passed', 'Encrypt (STARTTLS)': 'Passed', 'Sign in': 'Skipped' });
    await expect((await signIn())!.row).toContainText('No password set: mail is sent without signing in (Authorisation is Optional)');
    await expect(ui.report).not.toContainText('Authorisation is None');
    for (const field of [ui.username, ui.password]) await expect(field).not.toHaveAttribute('aria-invalid', 'true');

    // Required, no user name: the steps before signing in run and pass; the missing field is named
    // under it, with the focus, in sight at 800×600.
    await choose(page, ui.auth, 'Required');
    await ui.testConnection.click();
    await expect(ui.report.getByRole('status')).toContainText('Failed', { timeout: 20_000 });
    const required = Object.fromEntries((await stepResults(ui.report)).map((s) => [s.title, s.result]));
    expect(required).toMatchObject({ Connect: 'Passed', 'Encrypt (STARTTLS)': 'Passed', 'Sign in': 'Failed' });
    await expect((await signIn())!.row).toContainText('No user name set');
    await expect(ui.username).toBeFocused();
    await expect(ui.username).toHaveAttribute('aria-invalid', 'true');
    await expect(ui.username).toHaveAccessibleDescription(/Required when Authorisation is Required/);
    const usernameMessage = ui.panel.getByText('Required when Authorisation is Required');
    expect(await inSight(ui.username), 'the user name field in sight').toBe(true);
    expect(await inSight(usernameMessage), 'its message in sight').toBe(true);

    // Typed, the message goes; the next test names the password the same way.
    await ui.username.fill(smtp.user);
    await expect(ui.username).not.toHaveAttribute('aria-invalid', 'true');
    await ui.testConnection.click();
    await expect(ui.report.getByRole('status')).toContainText('Failed', { timeout: 20_000 });
    await expect((await signIn())!.row).toContainText('No password set');
    await expect(ui.password).toBeFocused();
    await expect(ui.password).toHaveAccessibleDescription(/Required when Authorisation is Required/);
    expect(await inSight(ui.panel.getByText('Required when Authorisation is Required')), 'the password message in sight').toBe(true);

    // With both, it signs in; nothing was saved along the way.
    await ui.password.fill(smtp.password);
    await ui.testConnection.click();
    await expect(ui.report.getByRole('status')).toContainText('Passed', { timeout: 20_000 });
    expect((await signIn())?.result).toBe('Passed');
    expect(mailroom.readSettingsFile(), 'the profile was never saved').toBeNull();
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await context.close();
  }
});

test('Delete asks first, and after Save neither the profile nor its password is left', async ({ browser, mailroom }) => {
  const keep = profile('keep-1', 'Office relay', { host: 'relay.harbour.example', port: 25, security: 'none', auth: 'none' });
  const doomed = profile('doomed-1', 'Old provider', { host: 'smtp.old.example', port: 465, security: 'tls' });
  await seed(mailroom, [keep, doomed], doomed.id);
  await invoke(mailroom, 'secrets:set-profile-password', { profileId: doomed.id, password: 's3cret' });
  expect(secretNames(mailroom)).toEqual([`smtp-password:${doomed.id}`]);

  const { context, page, pageErrors } = await openDialog(browser, mailroom);
  try {
    const defaultProfile = page.getByRole('tabpanel', { name: 'General' }).getByRole('combobox', { name: 'Default server profile' });
    await expect(defaultProfile).toHaveText('Old provider');

    const ui = smtpTab(page);
    await ui.tab.click();
    await expect(ui.list.getByRole('option')).toHaveCount(2);
    const doomedRow = ui.list.getByRole('option', { name: /Old provider/ });
    await expect(doomedRow).toContainText('smtp.old.example:465');
    await expect(doomedRow).toContainText('Default');
    await doomedRow.click();
    await expect(doomedRow).toHaveAttribute('aria-selected', 'true');
    await expect(ui.name).toHaveValue('Old provider');
    await expect(ui.panel.getByText('A password is saved')).toBeVisible();

    // Cancel keeps it.
    await ui.delete.click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete profile “Old provider”?' });
    await expect(confirm).toBeVisible();
    await expect(confirm).toContainText('default server profile');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(ui.list.getByRole('option')).toHaveCount(2);

    await ui.delete.click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(confirm).toBeHidden();
    await expect(ui.list.getByRole('option')).toHaveCount(1);
    await expect(ui.list.getByRole('option', { name: /Office relay/ })).toHaveAttribute('aria-selected', 'true');
    await expect(ui.name).toHaveValue('Office relay');
    expect(secretNames(mailroom), 'nothing changes before Save').toEqual([`smtp-password:${doomed.id}`]);

    await ui.save.click();
    await expect(page.getByText('Settings saved')).toBeVisible();
    const saved = mailroom.readSettingsFile() as Settings;
    expect(saved.smtp.profiles.map((p) => p.id)).toEqual([keep.id]);
    expect(saved.general.defaultProfile, 'the default that pointed at it is cleared').toBe('');
    expect(secretNames(mailroom), 'its password is gone').toEqual([]);

    await page.getByRole('tab', { name: 'General' }).click();
    await expect(defaultProfile).toHaveText('(none)');
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await context.close();
  }
});

test('Add, filter, and the errors of an incomplete profile', async ({ browser, mailroom }) => {
  await seed(mailroom, [
    profile('p-relay', 'Office relay', { host: 'relay.harbour.example', port: 25, security: 'none', auth: 'none' }),
    profile('p-m365', 'Microsoft 365', { host: 'smtp.office365.com', port: 587 }),
  ]);
  const { context, page, pageErrors } = await openDialog(browser, mailroom);
  try {
    const ui = smtpTab(page);
    await ui.tab.click();
    await expect(ui.list.getByRole('option')).toHaveCount(2);

    // The filter narrows by name and by host.
    await ui.filter.fill('office365');
    await expect(ui.list.getByRole('option')).toHaveCount(1);
    await expect(ui.list.getByRole('option')).toContainText('Microsoft 365');
    await ui.filter.fill('relay');
    await expect(ui.list.getByRole('option')).toHaveCount(1);
    await expect(ui.list.getByRole('option')).toContainText('Office relay');
    // Enter on an existing name selects it instead of creating another.
    await ui.filter.fill('microsoft 365');
    await ui.filter.press('Enter');
    await expect(page.getByRole('alertdialog')).toHaveCount(0);
    await expect(ui.name).toHaveValue('Microsoft 365');
    await ui.filter.fill('');

    // Keyboard: down from the filter into the list, Enter selects.
    await ui.filter.focus();
    await ui.filter.press('ArrowDown');
    await expect(ui.list.getByRole('option', { name: /Microsoft 365/ })).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(ui.list.getByRole('option', { name: /Office relay/ })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(ui.name).toHaveValue('Office relay');
    // Authorisation None: no username or password to enter.
    await expect(ui.username).toHaveCount(0);
    await expect(ui.password).toHaveCount(0);

    // Add asks for a name, and refuses one already taken.
    await ui.add.click();
    const addDialog = page.getByRole('dialog', { name: 'Add server profile' });
    const nameInput = addDialog.getByRole('textbox', { name: 'Profile name' });
    await nameInput.fill('office relay');
    await addDialog.getByRole('button', { name: 'Add' }).click();
    await expect(addDialog.getByText('A profile called “office relay” already exists')).toBeVisible();
    await nameInput.fill('Backup relay');
    await nameInput.press('Enter');
    await expect(addDialog).toBeHidden();
    await expect(ui.list.getByRole('option', { name: /Backup relay/ })).toHaveAttribute('aria-selected', 'true');
    await expect(ui.name).toHaveValue('Backup relay');

    // Per-user credentials: username and password are the users' own.
    await choose(page, ui.credentials, "Each user's own");
    await expect(ui.username).toBeDisabled();
    await expect(ui.password).toBeDisabled();
    await expect(ui.panel.getByText('Each user enters their own on the Users tab.').first()).toBeVisible();
    await choose(page, ui.credentials, 'Shared by all users');

    // Required fields carry the red left border; Save shows their errors under them.
    const borderLeft = (control: Locator) =>
      control.evaluate((el) => getComputedStyle(el.closest('span.fui-Input') ?? el).borderLeftWidth);
    await expect.poll(() => borderLeft(ui.host)).toBe('3px');
    await expect.poll(() => borderLeft(ui.fromAddress)).toBe('3px');
    await expect.poll(() => borderLeft(ui.bcc)).not.toBe('3px');

    // Select another profile, then Save: the dialog comes back to the profile in error.
    await ui.list.getByRole('option', { name: /Office relay/ }).click();
    await ui.save.click();
    await expect(page.getByText('Not saved')).toBeVisible();
    await expect(ui.name).toHaveValue('Backup relay');
    await expect(ui.host).toBeFocused();
    await expect(ui.host).toHaveAttribute('aria-invalid', 'true');
    await expect(ui.host).toHaveAccessibleDescription(/Required/);
    await expect(ui.fromAddress).toHaveAccessibleDescription(/Required/);
    await expect(ui.list.getByRole('option', { name: /Backup relay/ })).toContainText('needs attention');

    // A malformed value shows its message under its own field.
    await ui.bcc.fill('records at harbour');
    await ui.bcc.press('Tab');
    await expect(ui.bcc).toHaveAccessibleDescription(/Enter one email address/);
    // "host,port" pasted is split at once.
    await ui.host.focus();
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.setData('text/plain', 'mail.harbour.example,2525');
      document.activeElement?.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await page.keyboard.insertText('mail.harbour.example,2525');
    await expect(ui.host).toHaveValue('mail.harbour.example');
    await expect(ui.port).toHaveValue('2525');

    // A test that cannot start says why, under the field concerned.
    await ui.bcc.fill('');
    await ui.fromAddress.fill(FROM_ADDRESS);
    await ui.username.fill('backup-user');
    await ui.caFile.fill(path.join(os.tmpdir(), 'mailroom-no-such-ca.pem'));
    await ui.testConnection.click();
    await expect(ui.report.getByRole('status')).toHaveText('The test could not start.');
    await expect(ui.caFile).toHaveAttribute('aria-invalid', 'true');
    await expect(ui.caFile).toHaveAccessibleDescription(/does not exist/);
    await ui.caFile.fill('');
    await expect(ui.caFile).not.toHaveAttribute('aria-invalid', 'true');
    // No password is no reason to refuse a test: it runs, and only its sign-in step would need one.
    await ui.testConnection.click();
    await expect(ui.report.getByRole('status')).toContainText('Failed', { timeout: 20_000 });
    await expect(ui.password).not.toHaveAttribute('aria-invalid', 'true');
    await ui.password.fill('typed');
    await expect(ui.password).not.toHaveAttribute('aria-invalid', 'true');

    // Revert takes it all back, the typed password included.
    await ui.revert.click();
    await expect(ui.list.getByRole('option')).toHaveCount(2);
    await expect(ui.save).toBeDisabled();
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await context.close();
  }
});

test('the SMTP tab has no axe violations with a profile and with a failed test', async ({ browser, mailroom }) => {
  const port = await closedPort();
  await seed(mailroom, [
    profile('p-closed', 'Nobody home', { host: '127.0.0.1', port, security: 'starttls', auth: 'none', timeoutSeconds: 5 }),
    profile('p-other', 'Microsoft 365', { host: 'smtp.office365.com', port: 587 }),
  ]);
  const { context, page } = await openDialog(browser, mailroom);
  try {
    const ui = smtpTab(page);
    await ui.tab.click();
    await expect(ui.list.getByRole('option', { name: /Nobody home/ })).toHaveAttribute('aria-selected', 'true');
    await showWholePage(page);
    await expectAccessibleInBothThemes(page, 'the SMTP tab with a profile');

    await ui.testConnection.click();
    await expect(ui.report.getByRole('status')).toContainText('Failed', { timeout: 20_000 });
    await expect(failureBox(ui.report).title).toBeVisible();
    await showWholePage(page);
    await expectAccessibleInBothThemes(page, 'the SMTP tab with a failed test');

    // And the insecure-TLS warning.
    await choose(page, ui.minTls, 'TLS 1.1 (insecure)');
    await expect(ui.panel.getByText('TLS 1.1 is insecure')).toBeVisible();
    await showWholePage(page);
    await expectAccessibleInBothThemes(page, 'the SMTP tab with a TLS warning');
  } finally {
    await context.close();
  }
});

// Screenshots for a person to look at: `npm run shots` runs this, the test run leaves it out.
test.describe('screenshots @shots', () => {
  test('the SMTP tab, light and dark, with a profile and with a failed test', async ({ browser, mailroom, smtp }) => {
    const dir = shotsDir();
    {
      const { context, page } = await openDialog(browser, mailroom);
      await smtpTab(page).tab.click();
      await page.mouse.move(1, 1);
      await page.screenshot({ path: path.join(dir, 'smtp-empty-light.png') });
      await smtpTab(page).add.click();
      await page.getByRole('dialog', { name: 'Add server profile' }).getByRole('button', { name: 'Add' }).click();
      await page.screenshot({ path: path.join(dir, 'smtp-add-light.png') });
      await context.close();
    }
    await seed(mailroom, [
      profile('p-harbour', PROFILE_NAME, {
        host: smtp.host,
        port: smtp.port,
        security: 'starttls-required',
        caFile: smtp.caFile,
        username: smtp.user,
        fromName: 'Harbour Accounts',
      }),
      profile('p-m365', 'Microsoft 365', { host: 'smtp.office365.com', port: 587 }),
      profile('p-relay', 'Office relay', { host: 'relay.harbour.example', port: 25, security: 'none', auth: 'none' }),
    ], 'p-harbour');
    await invoke(mailroom, 'secrets:set-profile-password', { profileId: 'p-harbour', password: smtp.password });
    for (const colorScheme of ['light', 'dark'] as const) {
      const { context, page } = await openDialog(browser, mailroom, { colorScheme });
      try {
        const ui = smtpTab(page);
        await ui.tab.click();
        await expect(ui.name).toHaveValue(PROFILE_NAME);
        await page.screenshot({ path: path.join(dir, `smtp-profile-${colorScheme}.png`) });
        await ui.testConnection.click();
        await expect(ui.report.getByRole('status')).toContainText('Passed', { timeout: 20_000 });
        await page.screenshot({ path: path.join(dir, `smtp-passed-${colorScheme}.png`) });
        const sendDialog = page.getByRole('dialog', { name: 'Send test email' });
        await ui.sendTestEmail.click();
        await sendDialog.getByRole('button', { name: 'Send', exact: true }).click();
        await expect(sendDialog.getByRole('heading', { name: 'Sent' })).toBeVisible({ timeout: 20_000 });
        await page.screenshot({ path: path.join(dir, `smtp-sent-${colorScheme}.png`) });
        await sendDialog.getByRole('button', { name: 'Close' }).click();
        await ui.password.fill('not the password');
        await ui.testConnection.click();
        await expect(ui.report.getByRole('status')).toContainText('Failed', { timeout: 20_000 });
        await page.screenshot({ path: path.join(dir, `smtp-failed-${colorScheme}.png`) });
        await ui.sendTestEmail.click();
        await sendDialog.getByRole('button', { name: 'Send', exact: true }).click();
        await expect(sendDialog.getByRole('heading', { level: 3 })).toBeVisible({ timeout: 20_000 });
        await page.screenshot({ path: path.join(dir, `smtp-send-failed-${colorScheme}.png`) });
        await sendDialog.getByRole('button', { name: 'Close' }).click();
        await ui.bcc.fill('records at harbour');
        await ui.bcc.press('Tab');
        await ui.report.getByRole('button', { name: 'Close the test report' }).click();
        await ui.bcc.scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(dir, `smtp-field-error-${colorScheme}.png`) });
      } finally {
        await context.close();
      }
    }
  });
});
