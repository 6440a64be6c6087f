// The Email and Users tabs against a real browser-mode server: which compose and send choices are
// offered where, the system users round-tripping to settings.json with write-only passwords, and
// what someone who is not an administrator sees and may do. The OS account running the tests is
// "the current user"; a test turns it into a non-administrator by rewriting settings.json, as if
// someone else were using this computer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { defaultSettings, newProfile, newUser, type MailOptions, type Settings, type SmtpProfile, type SystemUser } from '../../preload/contract';
import { expectAccessibleInBothThemes, showWholePage } from './axe';
import { test, expect, type MailroomServer } from './fixtures';
import { openDialog, type ColorScheme } from './open-dialog';
import { shotsDir } from './shots/shots';
import { filesToScan } from '../helpers/scan-files';

const ME = os.userInfo().username;
const WINDOWS = process.platform === 'win32';

const GENERAL = {
  organisationName: 'Harbour Accounts Ltd',
  alertFrom: 'alerts@harbour.example',
  systemNotification: 'it-notices@harbour.example',
};

function user(id: string, account: string, changes: Partial<SystemUser> = {}): SystemUser {
  return { ...newUser(id, account), ...changes };
}

/** Writes settings.json as an earlier session (or another administrator) left it. */
function writeSettings(mailroom: MailroomServer, changes: { mail?: Partial<MailOptions>; users?: SystemUser[]; profiles?: SmtpProfile[] } = {}): Settings {
  const base = defaultSettings();
  const settings: Settings = {
    ...base,
    general: { ...base.general, ...GENERAL },
    mail: { ...base.mail, ...changes.mail },
    users: changes.users ?? [],
    smtp: { profiles: changes.profiles ?? [] },
  };
  fs.writeFileSync(mailroom.settingsFile, JSON.stringify(settings, null, 2));
  return settings;
}

function savedSettings(mailroom: MailroomServer): Settings {
  return mailroom.readSettingsFile() as Settings;
}

async function invoke(mailroom: MailroomServer, channel: string, input?: unknown): Promise<{ status: number; body: { ok: boolean; value?: unknown; error?: { code: string; message: string; fields?: { path: string; message: string }[] } } }> {
  const response = await fetch(`${mailroom.origin}/api/invoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${mailroom.token}` },
    body: JSON.stringify({ channel, input }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

function emailTab(page: Page) {
  const panel = page.getByRole('tabpanel', { name: 'Email' });
  const compose = panel.getByRole('region', { name: 'Compose', exact: true });
  const send = panel.getByRole('region', { name: 'Send', exact: true });
  return {
    tab: page.getByRole('tab', { name: 'Email' }),
    panel,
    allowM365: panel.getByRole('switch', { name: 'Allow Microsoft 365 web' }),
    compose: {
      region: compose,
      mode: compose.getByRole('combobox', { name: 'Compose with' }),
      readOnly: compose.getByRole('textbox', { name: 'Compose with' }),
      selectable: compose.getByRole('switch', { name: 'Allow user selection' }),
    },
    send: {
      region: send,
      mode: send.getByRole('combobox', { name: 'Send with' }),
      readOnly: send.getByRole('textbox', { name: 'Send with' }),
      selectable: send.getByRole('switch', { name: 'Allow user selection' }),
    },
  };
}

function usersTab(page: Page) {
  const panel = page.getByRole('tabpanel', { name: 'Users' });
  const field = (role: 'textbox' | 'combobox' | 'switch', name: string) => panel.getByRole(role, { name, exact: true });
  return {
    tab: page.getByRole('tab', { name: 'Users' }),
    panel,
    list: panel.getByRole('listbox', { name: 'System users' }),
    add: panel.getByRole('button', { name: 'Add', exact: true }),
    addMe: panel.getByRole('button', { name: 'Add me', exact: true }),
    delete: panel.getByRole('button', { name: 'Delete', exact: true }),
    account: field('textbox', 'Sign-in name'),
    name: field('textbox', 'Name'),
    email: field('textbox', 'Email address'),
    admin: field('switch', 'Administrator'),
    smtpUsername: field('textbox', 'SMTP username'),
    smtpPassword: panel.getByLabel('SMTP password', { exact: true }),
    compose: field('combobox', 'Compose with'),
    composeReadOnly: field('textbox', 'Compose with'),
    send: field('combobox', 'Send with'),
    sendReadOnly: field('textbox', 'Send with'),
  };
}

const save = (page: Page) => page.getByRole('button', { name: 'Save', exact: true });

async function choose(page: Page, dropdown: Locator, option: RegExp) {
  await dropdown.click();
  await page.getByRole('option', { name: option }).click();
}

/** Whether an element's text is the theme's read-only purple. */
async function expectPurple(locator: Locator) {
  const [color, purple] = await locator.evaluate((el) => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--colorPalettePurpleForeground2)';
    el.parentElement?.appendChild(probe);
    const wanted = getComputedStyle(probe).color;
    probe.remove();
    return [getComputedStyle(el).color, wanted];
  });
  expect(color, 'read-only text is purple').toBe(purple);
}

test('Microsoft 365 choices wait for Allow Microsoft 365 web; Outlook and MAPI are Windows-only', async ({ browser, mailroom }) => {
  writeSettings(mailroom);
  const { context, page, pageErrors } = await openDialog(browser, mailroom);
  try {
    const ui = emailTab(page);
    await ui.tab.click();
    await expect(ui.compose.mode).toHaveText('Built-in mailer');
    await expect(ui.send.mode).toHaveText('SMTP');
    await expect(ui.allowM365).not.toBeChecked();

    // The reasons show under the field without opening it, and beside each greyed-out choice.
    await expect(ui.compose.region.getByText('Microsoft 365 needs Allow Microsoft 365 web')).toBeVisible();
    await ui.compose.mode.click();
    const m365 = page.getByRole('option', { name: /^Microsoft 365/ });
    await expect(m365).toHaveAttribute('aria-disabled', 'true');
    await expect(m365).toContainText('Turn on Allow Microsoft 365 web first');
    const autodetect = page.getByRole('option', { name: /^Autodetect/ });
    await expect(autodetect).not.toHaveAttribute('aria-disabled', 'true');
    await expect(autodetect).toContainText('Outlook (classic) if it is installed');
    for (const name of ['Outlook (classic)', 'Full MAPI', 'Simple MAPI']) {
      const option = page.getByRole('option', { name: new RegExp(`^${name.replace(/[()]/g, '\\$&')}`) });
      if (WINDOWS) {
        await expect(option).not.toHaveAttribute('aria-disabled', 'true');
      } else {
        await expect(option, `${name} is Windows-only`).toHaveAttribute('aria-disabled', 'true');
        await expect(option).toContainText('Only on Windows');
      }
    }
    // A disabled choice cannot be picked.
    await m365.click({ force: true });
    await page.keyboard.press('Escape');
    await expect(ui.compose.mode).toHaveText('Built-in mailer');
    if (!WINDOWS) await expect(ui.send.region.getByText('Outlook (classic), Full MAPI and Simple MAPI work only on Windows')).toBeVisible();

    // Allowed, Microsoft 365 can be chosen; while it is, the switch says why it stays on.
    await ui.allowM365.click();
    await expect(ui.allowM365).toBeChecked();
    await choose(page, ui.send.mode, /^Microsoft 365/);
    await expect(ui.send.mode).toHaveText('Microsoft 365');
    await expect(ui.allowM365).toBeDisabled();
    await expect(ui.panel.getByText('In use: Send with is Microsoft 365')).toBeVisible();
    await choose(page, ui.compose.mode, /^Autodetect/);
    await expect(ui.compose.region.getByText('otherwise the MAPI level the default mail client supports')).toBeVisible();

    await save(page).click();
    await expect(page.getByText('Settings saved')).toBeVisible();
    expect(savedSettings(mailroom).mail).toEqual({
      allowM365Web: true,
      compose: 'autodetect',
      composeUserSelectable: false,
      send: 'm365-graph',
      sendUserSelectable: false,
    });

    // Main refuses Microsoft 365 without the switch, whatever a page sends.
    const refused = await invoke(mailroom, 'settings:save', { ...savedSettings(mailroom), mail: { ...savedSettings(mailroom).mail, allowM365Web: false } });
    expect(refused.body).toMatchObject({ ok: false, error: { fields: [{ path: 'mail.send' }] } });
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('add, edit and remove users; their SMTP passwords are write-only', async ({ browser, mailroom }) => {
  writeSettings(mailroom);
  const { context, page, pageErrors } = await openDialog(browser, mailroom);
  try {
    const ui = usersTab(page);
    await ui.tab.click();
    await expect(ui.panel.getByRole('heading', { name: 'No system users yet' })).toBeVisible();

    // The first user is the one at the keyboard, as an administrator.
    await ui.addMe.click();
    await expect(ui.account).toHaveValue(ME);
    await expect(ui.name).toBeFocused();
    await ui.name.fill('Morgan Manager');
    await expect(ui.admin).toBeChecked();
    await expect(ui.list.getByRole('option', { name: /Morgan Manager/ })).toContainText('You');
    await expect(ui.addMe).toBeHidden();

    await ui.add.click();
    await expect(ui.account).toBeFocused();
    await save(page).click();
    await expect(ui.account).toHaveAttribute('aria-invalid', 'true');
    await expect(ui.account).toBeFocused();
    await ui.account.fill('CONTOSO\\clara');
    await ui.name.fill('Clara Clerk');
    await ui.email.fill('clara@harbour.example');
    await ui.smtpUsername.fill('clara.smtp');
    await ui.smtpPassword.fill('clara-secret-1');
    await expect(ui.admin).not.toBeChecked();
    await save(page).click();
    await expect(page.getByText('Settings saved')).toBeVisible();

    const users = savedSettings(mailroom).users;
    expect(users.map(({ id: _id, ...rest }) => rest)).toEqual([
      { account: ME, name: 'Morgan Manager', email: '', admin: true, smtpUsername: '', compose: null, send: null },
      { account: 'CONTOSO\\clara', name: 'Clara Clerk', email: 'clara@harbour.example', admin: false, smtpUsername: 'clara.smtp', compose: null, send: null },
    ]);
    const clara = users[1]!;
    await expect(ui.panel.getByText('A password is saved')).toBeVisible();
    await expect(ui.smtpPassword).toHaveValue('');
    for (const file of filesToScan(mailroom.dataDir, { recursive: false })) {
      expect(file.bytes.toString('utf8'), `${file.name} holds no password in clear`).not.toContain('clara-secret-1');
    }
    const status = await invoke(mailroom, 'secrets:status');
    expect(status.body).toMatchObject({ ok: true, value: { userPasswords: { [clara.id]: true } } });

    // Edit, then remove.
    await ui.email.fill('clara.clerk@harbour.example');
    await save(page).click();
    await expect(page.getByText('Settings saved')).toBeVisible();
    expect(savedSettings(mailroom).users[1]).toMatchObject({ id: clara.id, email: 'clara.clerk@harbour.example' });

    await ui.delete.click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete user “Clara Clerk”?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(ui.list.getByRole('option')).toHaveCount(1);
    await save(page).click();
    await expect(page.getByText('Settings saved')).toBeVisible();
    expect(savedSettings(mailroom).users.map((u) => u.account)).toEqual([ME]);
    const after = await invoke(mailroom, 'secrets:status');
    expect((after.body.value as { userPasswords: Record<string, boolean> }).userPasswords).toEqual({ [users[0]!.id]: false });
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('saving users without yourself as an administrator is refused, and says so', async ({ browser, mailroom }) => {
  writeSettings(mailroom);
  const { context, page, pageErrors } = await openDialog(browser, mailroom);
  try {
    const ui = usersTab(page);
    await ui.tab.click();
    await ui.add.click();
    await ui.account.fill('CONTOSO\\clara');
    await ui.admin.click();
    await expect(ui.panel.getByText('You are not an administrator here')).toBeVisible();
    await save(page).click();
    await expect(ui.panel.getByText(`${ME} must be an administrator`)).toBeVisible();
    expect(savedSettings(mailroom).users).toEqual([]);

    await ui.addMe.click();
    await expect(ui.admin).toBeChecked();
    await save(page).click();
    await expect(page.getByText('Settings saved')).toBeVisible();
    expect(savedSettings(mailroom).users.map((u) => [u.account, u.admin])).toEqual([
      ['CONTOSO\\clara', true],
      [ME, true],
    ]);
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('an admin turns off user selection and a non-admin’s choice becomes read-only and is refused by the API', async ({ browser, mailroom }) => {
  writeSettings(mailroom, {
    mail: { composeUserSelectable: true, sendUserSelectable: true },
    users: [user('u-me', ME, { name: 'Morgan Manager', admin: true }), user('u-clerk', 'CONTOSO\\clerk', { name: 'Clara Clerk', compose: 'builtin' })],
  });
  const { context, page, pageErrors } = await openDialog(browser, mailroom);
  try {
    const email = emailTab(page);
    await email.tab.click();
    await expect(email.compose.selectable).toBeChecked();
    await email.compose.selectable.click();
    await expect(email.compose.selectable).not.toBeChecked();
    await save(page).click();
    await expect(page.getByText('Settings saved')).toBeVisible();
    expect(savedSettings(mailroom).mail).toMatchObject({ composeUserSelectable: false, sendUserSelectable: true });

    // Someone else becomes the administrator; the account at the keyboard is now a plain user.
    const now = savedSettings(mailroom);
    fs.writeFileSync(
      mailroom.settingsFile,
      JSON.stringify({
        ...now,
        users: [user('u-boss', 'CONTOSO\\boss', { name: 'Bea Boss', admin: true }), user('u-me', ME, { name: 'Morgan Manager', compose: 'builtin' })],
      }),
    );
    await page.reload();
    const banner = page.getByRole('group', { name: 'View only' });
    await expect(banner).toContainText('Only an administrator can change these settings');
    await expect(banner).toContainText(ME);

    // The whole dialog is read-only: the General tab's fields are purple.
    const organisation = page.getByRole('textbox', { name: 'Organisation name' });
    await page.getByRole('tab', { name: 'General' }).click();
    await expect(organisation).toHaveAttribute('readonly', '');
    await expectPurple(organisation);
    await page.getByRole('tab', { name: 'Email' }).click();
    await expect(email.compose.readOnly).toHaveAttribute('readonly', '');
    await expect(email.compose.selectable).toBeDisabled();
    await expect(email.panel.getByText('(the system setting) and send with SMTP')).toBeVisible();

    // Send with is still theirs to choose: the Email tab leads there.
    const ui = usersTab(page);
    await email.panel.getByRole('button', { name: 'Choose your own on the Users tab' }).click();
    await expect(ui.tab).toHaveAttribute('aria-selected', 'true');
    await expect(ui.send).toBeFocused();
    await expect(ui.add).toBeHidden();
    await expect(ui.list.getByRole('option', { name: /Morgan Manager/ })).toHaveAttribute('aria-selected', 'true');
    await expect(ui.composeReadOnly).toHaveValue('Built-in mailer');
    await expectPurple(ui.composeReadOnly);
    await expect(ui.panel.getByText('Allow user selection is off for Compose on the Email tab')).toBeVisible();
    await expect(ui.account).toHaveAttribute('readonly', '');
    await expect(ui.admin).toBeDisabled();

    // What is still theirs: Send with, and their own SMTP sign-in; saved with the same Save.
    await choose(page, ui.send, /^Autodetect/);
    await ui.smtpUsername.fill('morgan.smtp');
    await ui.smtpPassword.fill('morgan-secret-1');
    await save(page).click();
    await expect(page.getByText('Your settings were saved')).toBeVisible();
    const mine = savedSettings(mailroom).users.find((u) => u.id === 'u-me');
    expect(mine).toMatchObject({ compose: 'builtin', send: 'autodetect', smtpUsername: 'morgan.smtp', admin: false });
    await expect(ui.panel.getByText('A password is saved')).toBeVisible();

    // Another user's fields are not this user's to change.
    await ui.list.getByRole('option', { name: /Bea Boss/ }).click();
    await expect(ui.smtpUsername).toHaveAttribute('readonly', '');
    await expect(ui.sendReadOnly).toHaveValue(/Use the system setting/);

    // Main refuses what the page does not offer.
    const compose = await invoke(mailroom, 'users:set-own', { compose: 'autodetect' });
    expect(compose.status).toBe(403);
    expect(compose.body).toMatchObject({ ok: false, error: { code: 'forbidden', fields: [{ path: 'compose' }] } });
    const whole = await invoke(mailroom, 'settings:save', savedSettings(mailroom));
    expect(whole.status).toBe(403);
    expect(whole.body).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const otherPassword = await invoke(mailroom, 'users:set-password', { userId: 'u-boss', password: 'nope' });
    expect(otherPassword.body).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(savedSettings(mailroom).users.find((u) => u.id === 'u-me')?.compose).toBe('builtin');
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

/** An administrator with a colleague, Microsoft 365 allowed and both choices open to users. */
function adminSettings(mailroom: MailroomServer) {
  return writeSettings(mailroom, {
    mail: { allowM365Web: true, compose: 'autodetect', composeUserSelectable: true, send: 'smtp', sendUserSelectable: false },
    users: [
      user('u-me', ME, { name: 'Morgan Manager', email: 'morgan@harbour.example', admin: true }),
      user('u-clerk', 'CONTOSO\\clerk', { name: 'Clara Clerk', email: 'clara@harbour.example', smtpUsername: 'clara.smtp', compose: 'm365-web' }),
    ],
  });
}

/** The same people, with the account at the keyboard no longer an administrator. */
function nonAdminSettings(mailroom: MailroomServer) {
  return writeSettings(mailroom, {
    mail: { allowM365Web: false, compose: 'builtin', composeUserSelectable: false, send: 'smtp', sendUserSelectable: true },
    users: [
      user('u-boss', 'CONTOSO\\boss', { name: 'Bea Boss', email: 'bea@harbour.example', admin: true }),
      user('u-me', ME, { name: 'Morgan Manager', email: 'morgan@harbour.example', compose: 'outlook' }),
    ],
    profiles: [{ ...newProfile('p-relay', 'Harbour relay'), host: 'smtp.harbour.example', fromAddress: 'accounts@harbour.example', username: 'relay-user' }],
  });
}

async function openAs(browser: Parameters<typeof openDialog>[0], mailroom: MailroomServer, colorScheme: ColorScheme, admin: boolean) {
  if (admin) return openDialog(browser, mailroom, { colorScheme });
  const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(mailroom.url);
  await expect(page.getByRole('group', { name: 'View only' })).toBeVisible();
  return { context, page };
}

for (const admin of [true, false]) {
  const who = admin ? 'an admin' : 'a non-admin';
  test(`the Email and Users tabs have no axe violations for ${who}`, async ({ browser, mailroom }) => {
    if (admin) adminSettings(mailroom);
    else nonAdminSettings(mailroom);
    const { context, page } = await openAs(browser, mailroom, 'light', admin);
    try {
      await emailTab(page).tab.click();
      await expect(emailTab(page).panel.getByRole('heading', { name: 'For you' })).toBeVisible();
      await showWholePage(page);
      await expectAccessibleInBothThemes(page, `the Email tab, ${who}`);
      await usersTab(page).tab.click();
      await expect(usersTab(page).list.getByRole('option')).toHaveCount(2);
      await showWholePage(page);
      await expectAccessibleInBothThemes(page, `the Users tab, ${who}`);
    } finally {
      await context.close();
    }
  });
}

// Screenshots for a person to look at: `npm run shots` runs this, the test run leaves it out.
test.describe('screenshots @shots', () => {
  test('the Email and Users tabs, admin and non-admin, light and dark', async ({ browser, mailroom }) => {
    const dir = shotsDir();
    {
      // Saving users without yourself as an administrator, refused.
      writeSettings(mailroom);
      const { context, page } = await openDialog(browser, mailroom);
      try {
        const ui = usersTab(page);
        await ui.tab.click();
        await ui.add.click();
        await ui.account.fill('CONTOSO\\clara');
        await ui.admin.click();
        await save(page).click();
        await expect(ui.panel.getByText(`${ME} must be an administrator`)).toBeVisible();
        await page.screenshot({ path: path.join(dir, 'users-lockout-light.png') });
      } finally {
        await context.close();
      }
    }
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const admin of [true, false]) {
        if (admin) adminSettings(mailroom);
        else nonAdminSettings(mailroom);
        const who = admin ? 'admin' : 'user';
        const { context, page } = await openAs(browser, mailroom, colorScheme, admin);
        try {
          await emailTab(page).tab.click();
          if (admin) {
            await emailTab(page).send.mode.click();
            await page.screenshot({ path: path.join(dir, `email-send-open-${colorScheme}.png`) });
            await page.keyboard.press('Escape');
          }
          await showWholePage(page);
          await page.screenshot({ path: path.join(dir, `email-${who}-${colorScheme}.png`) });
          await page.setViewportSize({ width: 1280, height: 800 });
          const ui = usersTab(page);
          await ui.tab.click();
          await page.mouse.move(1, 1);
          await page.screenshot({ path: path.join(dir, `users-${who}-${colorScheme}.png`) });
          await showWholePage(page);
          await page.screenshot({ path: path.join(dir, `users-${who}-full-${colorScheme}.png`) });
          await ui.list.getByRole('option', { name: /Clara Clerk|Bea Boss/ }).click();
          await page.mouse.move(1, 1);
          await page.screenshot({ path: path.join(dir, `users-${who}-other-${colorScheme}.png`) });
          if (!admin) {
            await page.getByRole('tab', { name: 'SMTP' }).click();
            await showWholePage(page);
            await page.screenshot({ path: path.join(dir, `smtp-${who}-${colorScheme}.png`) });
          }
        } finally {
          await context.close();
        }
      }
    }
  });
});
