// OAuth2 profiles on the SMTP tab: choosing OAuth2 fills in Microsoft 365's server, a Basic profile
// on Exchange Online is warned about the retirement and switched in one click, and sign-ins (with a
// code, and in the "system browser") go end to end against a real OpenID provider on loopback.
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { defaultSettings, newProfile, type Settings, type SmtpProfile } from '../../preload/contract';
import { startIdentityProvider, TEST_CLIENT_ID, TEST_TENANT_ID, type IdentityProvider } from '../helpers/identity-provider';
import { expectAccessibleInBothThemes, showWholePage } from './axe';
import { test as base, expect, serveWhileUsed, type MailroomServer } from './fixtures';
import { openDialog } from './open-dialog';
import { shotsDir } from './shots/shots';

/**
 * The fixtures plus a test identity provider, and `signInServer`: a Mailroom whose Microsoft
 * sign-in goes to that provider (trusting its CA) and whose "system browser" opens nothing, so the
 * test plays the browser itself.
 */
const test = base.extend<{ idp: IdentityProvider; signInServer: MailroomServer }>({
  // Playwright reads a fixture's dependencies from this pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  idp: async ({}, use) => {
    const idp = await startIdentityProvider();
    try {
      await use(idp);
    } finally {
      await idp.close();
    }
  },
  signInServer: async ({ idp }, use) =>
    serveWhileUsed(use, (dataDir) => {
      const caFile = path.join(dataDir, 'idp-ca.pem');
      fs.writeFileSync(caFile, idp.ca);
      return { MAILROOM_MS_LOGIN_URL: idp.origin, NODE_EXTRA_CA_CERTS: caFile, BROWSER: 'true' };
    }),
});

const GENERAL = {
  organisationName: 'Harbour Accounts Ltd',
  alertFrom: 'alerts@harbour.example',
  systemNotification: 'it-notices@harbour.example',
};
const CLIENT_ID = TEST_CLIENT_ID;

function smtpTab(page: Page) {
  const panel = page.getByRole('tabpanel', { name: 'SMTP' });
  const field = (role: 'textbox' | 'spinbutton' | 'combobox', name: string) => panel.getByRole(role, { name, exact: true });
  const signIn = panel.getByRole('region', { name: 'Microsoft 365 sign-in' });
  return {
    tab: page.getByRole('tab', { name: 'SMTP' }),
    panel,
    list: panel.getByRole('listbox', { name: 'Server profiles' }),
    add: panel.getByRole('button', { name: 'Add', exact: true }),
    host: field('textbox', 'Server host'),
    port: field('spinbutton', 'Port'),
    security: field('combobox', 'Transport security'),
    auth: field('combobox', 'Authorisation'),
    authModel: field('combobox', 'Authentication model'),
    provider: field('combobox', 'OAuth2 provider'),
    tenant: field('textbox', 'Tenant'),
    clientId: field('textbox', 'Client (application) ID'),
    sendThrough: field('combobox', 'Send through'),
    mailbox: field('textbox', 'Mailbox'),
    username: field('textbox', 'Username'),
    password: panel.getByLabel('Password', { exact: true }),
    fromAddress: field('textbox', 'From address'),
    notice: panel.getByText('Password sign-in to Microsoft 365 is going away'),
    switchToOAuth: panel.getByRole('button', { name: 'Switch to OAuth2' }),
    signIn,
    signInBrowser: signIn.getByRole('button', { name: 'Sign in with Microsoft' }),
    signInCode: signIn.getByRole('button', { name: 'Sign in with a code' }),
    signOut: signIn.getByRole('button', { name: 'Sign out' }),
    save: page.getByRole('button', { name: 'Save', exact: true }),
  };
}

async function addProfile(page: Page, name: string) {
  const ui = smtpTab(page);
  await ui.tab.click();
  await ui.add.click();
  const add = page.getByRole('dialog', { name: 'Add server profile' });
  await add.getByRole('textbox').fill(name);
  await add.getByRole('button', { name: 'Add' }).click();
  await expect(ui.host).toBeFocused();
}

async function choose(page: Page, dropdown: Locator, option: string) {
  await dropdown.click();
  // An option's description is part of its name; the label comes first.
  await page.getByRole('option', { name: new RegExp(`^${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).click();
  await expect(dropdown).toHaveText(option);
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
  return body.value;
}

async function seed(mailroom: MailroomServer, profiles: SmtpProfile[]): Promise<void> {
  const base = defaultSettings();
  const settings: Settings = { ...base, general: { ...base.general, ...GENERAL }, smtp: { profiles } };
  await invoke(mailroom, 'settings:save', settings);
}

function profile(id: string, name: string, changes: Partial<SmtpProfile> = {}): SmtpProfile {
  return { ...newProfile(id, name), fromAddress: 'accounts@harbour.example', username: 'accounts@harbour.example', ...changes };
}

test('choosing OAuth2 fills in Microsoft 365 and asks for the app registration', async ({ browser, mailroom }) => {
  await seed(mailroom, []);
  const { context, page, pageErrors } = await openDialog(browser, mailroom);
  try {
    const ui = smtpTab(page);
    await addProfile(page, 'Microsoft 365');

    await expect(ui.authModel).toHaveText('Basic (username and password)');
    await expect(ui.password).toBeVisible();
    await choose(page, ui.authModel, 'OAuth2');

    // The server, port and security follow, and the draft is ready to save.
    await expect(ui.host).toHaveValue('smtp.office365.com');
    await expect(ui.port).toHaveValue('587');
    await expect(ui.security).toHaveText('STARTTLS required');
    await expect(ui.auth).toHaveText('Required');
    await expect(ui.provider).toHaveText('Microsoft 365');
    await expect(ui.tenant).toHaveValue('organizations');
    await expect(ui.sendThrough).toHaveText('SMTP (AUTH XOAUTH2)');
    await expect(ui.save).toBeEnabled();
    await expect(ui.list.getByRole('option', { name: /Microsoft 365/ })).toContainText('smtp.office365.com:587');

    // No password for OAuth2; the username is the sending mailbox.
    await expect(ui.password).toHaveCount(0);
    await expect(ui.username).toHaveCount(0);
    await expect(ui.mailbox).toBeVisible();

    // Signing in needs the app registration's client ID, and says so.
    await expect(ui.signIn.getByText('Not signed in')).toBeVisible();
    await expect(ui.signInBrowser).toHaveAttribute('aria-disabled', 'true');
    await expect(ui.signInCode).toHaveAttribute('aria-disabled', 'true');
    await expect(ui.signInBrowser).toHaveAccessibleDescription(/Enter the Client \(application\) ID/);
    await ui.clientId.fill('not-a-guid');
    await ui.clientId.press('Tab');
    await expect(ui.clientId).toHaveAttribute('aria-invalid', 'true');
    await expect(ui.clientId).toHaveAccessibleDescription(/Enter the Application \(client\) ID, a GUID/);
    await expect(ui.signInCode).toHaveAccessibleDescription(/Correct the Client \(application\) ID/);
    await ui.clientId.fill(CLIENT_ID);
    await expect(ui.clientId).not.toHaveAttribute('aria-invalid', 'true');
    await expect(ui.signInBrowser).not.toHaveAttribute('aria-disabled', 'true');

    await ui.tenant.fill('contoso.onmicrosoft.com');
    await choose(page, ui.sendThrough, 'Microsoft 365 (Graph API)');
    await ui.mailbox.fill('accounts@harbour.example');
    await ui.fromAddress.fill('accounts@harbour.example');
    await ui.save.click();
    await expect(page.getByText('Settings saved')).toBeVisible();
    const saved = mailroom.readSettingsFile() as Settings;
    expect(saved.smtp.profiles[0]).toMatchObject({
      host: 'smtp.office365.com',
      port: 587,
      security: 'starttls-required',
      auth: 'required',
      authModel: 'oauth2',
      oauthProvider: 'microsoft365',
      tenant: 'contoso.onmicrosoft.com',
      clientId: CLIENT_ID,
      sendMethod: 'graph',
      username: 'accounts@harbour.example',
    });
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await context.close();
  }
});

test('a Basic profile on Exchange Online is warned of the retirement and switched in one click', async ({ browser, mailroom }) => {
  await seed(mailroom, [profile('p-m365', 'Microsoft 365', { host: 'smtp.office365.com', port: 25, security: 'starttls' })]);
  const { context, page, pageErrors } = await openDialog(browser, mailroom);
  try {
    const ui = smtpTab(page);
    await ui.tab.click();
    await expect(ui.notice).toBeVisible();
    await expect(ui.panel.getByText(/MC786329/)).toBeVisible();
    await expect(ui.save).toBeDisabled();

    // Another server, no notice; back on Exchange Online, it returns.
    await ui.host.fill('smtp.harbour.example');
    await expect(ui.notice).toHaveCount(0);
    await ui.host.fill('smtp.office365.com');
    await expect(ui.notice).toBeVisible();

    await ui.switchToOAuth.click();
    await expect(ui.authModel).toHaveText('OAuth2');
    await expect(ui.notice).toHaveCount(0);
    await expect(ui.port).toHaveValue('587');
    await expect(ui.security).toHaveText('STARTTLS required');
    await expect(ui.password).toHaveCount(0);
    await expect(ui.mailbox).toHaveValue('accounts@harbour.example');
    await expect(ui.save).toBeEnabled();
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await context.close();
  }
});

test('sign in with a code, then in the browser, and sign out', async ({ browser, signInServer, idp }) => {
  await seed(signInServer, []);
  const { context, page, pageErrors } = await openDialog(browser, signInServer);
  try {
    const ui = smtpTab(page);
    const [user] = idp.users;
    if (!user) throw new Error('the identity provider has no users');
    await addProfile(page, 'Microsoft 365');
    await choose(page, ui.authModel, 'OAuth2');
    await ui.tenant.fill(TEST_TENANT_ID);
    await ui.clientId.fill(TEST_CLIENT_ID);
    await expect(ui.mailbox).toHaveValue('');
    await expect(ui.signIn.getByText('Not signed in')).toBeVisible();

    // Cancelled, the code's dialog gives the focus back to the button that opened it.
    await ui.signInCode.click();
    await page.getByRole('dialog', { name: 'Sign in with a code' }).getByRole('button', { name: 'Cancel' }).click();
    await expect(ui.signInCode).toBeFocused();

    // With a code: the dialog shows it, the user enters it elsewhere, and the dialog closes by itself.
    await ui.signInCode.click();
    const dialog = page.getByRole('dialog', { name: 'Sign in with a code' });
    await expect(dialog.getByRole('status')).toHaveText('Waiting for you to finish signing in…');
    await expect(dialog.getByRole('link')).toHaveAttribute('href', /^https:\/\//);
    const code = ((await dialog.locator('code').textContent()) ?? '').trim();
    expect(code).not.toBe('');
    await idp.completeDeviceCode(code);
    await expect(dialog).toBeHidden({ timeout: 20_000 });
    await expect(ui.signIn).toContainText(`Signed in as ${user.username} (${user.displayName})`);
    // The focus is on the sign-in's heading, where what happened is read out, not lost with the dialog.
    await expect(ui.signIn.getByRole('heading').first()).toBeFocused();
    await expect(ui.signIn).toContainText(/Access token valid until|A new access token is fetched before sending/);
    await expect(ui.signIn).toContainText('SMTP.Send');
    // The empty Mailbox takes the account signed in with.
    await expect(ui.mailbox).toHaveValue(user.username);

    await ui.signOut.click();
    await expect(ui.signIn.getByText('Not signed in')).toBeVisible();
    await expect(ui.signInBrowser).toBeVisible();

    // In the browser: the address to open by hand is offered while Mailroom waits; Cancel stops it.
    await ui.signInBrowser.click();
    await expect(ui.signIn.getByRole('status')).toHaveText('Finish signing in in your browser…');
    await ui.signIn.getByRole('button', { name: 'Cancel' }).click();
    await expect(ui.signIn.getByText('Sign-in cancelled.')).toBeVisible();
    await ui.signInBrowser.click();
    const address = ui.signIn.getByRole('link');
    await expect(address).toHaveAttribute('href', new RegExp(`^${idp.origin}/`));
    await idp.playBrowser((await address.getAttribute('href')) ?? '');
    await expect(ui.signIn).toContainText(`Signed in as ${user.username}`, { timeout: 20_000 });
    await expect(ui.signIn.getByRole('status')).toHaveCount(0);

    await ui.signOut.click();
    await expect(ui.signIn.getByText('Not signed in')).toBeVisible();
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await context.close();
  }
});

test('an OAuth2 profile and the retirement notice have no axe violations', async ({ browser, mailroom }) => {
  await seed(mailroom, [
    profile('p-oauth', 'Microsoft 365', { host: 'smtp.office365.com', port: 587, security: 'starttls-required', authModel: 'oauth2', clientId: CLIENT_ID }),
    profile('p-basic', 'Old Microsoft 365', { host: 'smtp.office365.com', port: 587, security: 'starttls-required' }),
  ]);
  const { context, page } = await openDialog(browser, mailroom);
  try {
    const ui = smtpTab(page);
    await ui.tab.click();
    await expect(ui.signIn).toBeVisible();
    await expect(ui.signInBrowser).toBeVisible();
    await showWholePage(page);
    await expectAccessibleInBothThemes(page, 'an OAuth2 profile');

    await ui.list.getByRole('option', { name: /Old Microsoft 365/ }).click();
    await expect(ui.notice).toBeVisible();
    await showWholePage(page);
    await expectAccessibleInBothThemes(page, 'the Basic retirement notice');
  } finally {
    await context.close();
  }
});

// Screenshots for a person to look at: `npm run shots` runs this, the test run leaves it out.
test.describe('screenshots @shots', () => {
  test('an OAuth2 profile signed out, signing in with a code, signed in, and the Basic notice', async ({ browser, signInServer, idp }) => {
    const dir = shotsDir();
    await seed(signInServer, [
      profile('p-oauth', 'Microsoft 365', {
        host: 'smtp.office365.com',
        port: 587,
        security: 'starttls-required',
        authModel: 'oauth2',
        tenant: TEST_TENANT_ID,
        clientId: TEST_CLIENT_ID,
      }),
      profile('p-basic', 'Old Microsoft 365', { host: 'smtp.office365.com', port: 587, security: 'starttls-required' }),
    ]);
    const { context, page } = await openDialog(browser, signInServer, { height: 1000 });
    try {
      const ui = smtpTab(page);
      await ui.tab.click();
      await ui.signIn.scrollIntoViewIfNeeded();
      await page.mouse.move(1, 1);
      await page.screenshot({ path: path.join(dir, 'oauth-signed-out-light.png') });
      await ui.signInCode.click();
      const dialog = page.getByRole('dialog', { name: 'Sign in with a code' });
      await expect(dialog.locator('code')).not.toBeEmpty();
      await page.mouse.move(1, 1);
      await page.screenshot({ path: path.join(dir, 'oauth-device-code-light.png') });
      await idp.completeDeviceCode(((await dialog.locator('code').textContent()) ?? '').trim());
      await expect(ui.signIn).toContainText('Signed in as', { timeout: 20_000 });
      await page.mouse.move(1, 1);
      await page.screenshot({ path: path.join(dir, 'oauth-signed-in-light.png') });
      await ui.list.getByRole('option', { name: /Old Microsoft 365/ }).click();
      await ui.notice.scrollIntoViewIfNeeded();
      await page.mouse.move(1, 1);
      await page.screenshot({ path: path.join(dir, 'oauth-basic-notice-light.png') });
    } finally {
      await context.close();
    }
  });
});
