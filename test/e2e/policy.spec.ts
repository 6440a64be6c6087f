// Machine policy in browser mode, from a Linux policy file (MAILROOM_POLICY_FILE): the fields it
// sets read as locked "Set by your organisation" for an administrator too, the API refuses to
// change them (403), `mailroom policy show` lists them, and the profile it names is there on the
// first start without a click.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { REPO_ROOT, serveWhileUsed, type MailroomServer } from './fixtures';
import { openDialog } from './open-dialog';
import { expectAccessibleInBothThemes, showWholePage } from './axe';
import { shotsDir } from './shots/shots';

const POLICY = {
  general: { alertFrom: 'alerts@harbour.example', debug: { enabled: 0, retentionDays: 'a fortnight' } },
  'mail.compose': 'builtin',
  // As the registry holds it: the profile list as JSON text, its port as text.
  'smtp.profiles': JSON.stringify([
    { id: 'head-office', name: 'Head office', host: 'smtp.harbour.example', port: '587', security: 'starttls-required', auth: 'none', fromAddress: 'invoices@harbour.example' },
  ]),
};
const NOTE = 'Set by your organisation';

interface PolicyServer {
  mailroom: MailroomServer;
  policyFile: string;
}

const test = base.extend<{ served: PolicyServer }>({
  // eslint-disable-next-line no-empty-pattern
  served: async ({}, use) => {
    let policyFile = '';
    await serveWhileUsed(
      (mailroom) => use({ mailroom, policyFile }),
      (dataDir) => {
        policyFile = path.join(dataDir, 'machine-policy.json');
        fs.writeFileSync(policyFile, JSON.stringify(POLICY, null, 2));
        return { MAILROOM_POLICY_FILE: policyFile };
      },
    );
  },
});

/** A field locked by policy: read-only, and its control described by the note a screen reader hears. */
async function expectLocked(control: Locator, value?: string) {
  await expect(control).not.toBeEditable();
  await expect(control).toHaveAccessibleDescription(new RegExp(NOTE));
  if (value !== undefined) await expect(control).toHaveValue(value);
}

async function invoke(mailroom: MailroomServer, channel: string, input?: unknown) {
  const response = await fetch(`${mailroom.origin}/api/invoke`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${mailroom.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ channel, input }),
  });
  return { status: response.status, body: (await response.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } } };
}

async function openSmtpProfile(page: Page, name: string) {
  await page.getByRole('tab', { name: 'SMTP' }).click();
  const panel = page.getByRole('tabpanel', { name: 'SMTP' });
  await panel.getByRole('listbox', { name: 'Server profiles' }).getByRole('option', { name: new RegExp(`^${name}`) }).click();
  return panel;
}

test.describe('machine policy in the dialog', () => {
  test('shows the fields it sets read-only with “Set by your organisation”, and leaves the rest editable', async ({ browser, served }) => {
    const { page, context, pageErrors } = await openDialog(browser, served.mailroom);
    const general = page.getByRole('tabpanel', { name: 'General' });
    await expectLocked(general.getByRole('textbox', { name: 'Alert From mailbox' }), 'alerts@harbour.example');
    const debugSwitch = general.getByRole('switch', { name: 'Debug logging' });
    await expect(debugSwitch).toBeDisabled();
    await expect(debugSwitch).not.toBeChecked();
    await expect(debugSwitch).toHaveAccessibleDescription(new RegExp(NOTE));
    // Not set by the policy (its value was not valid), so the administrator's to change.
    await expect(general.getByRole('spinbutton', { name: 'Keep logs for (days)' })).toBeEditable();
    await expect(general.getByRole('textbox', { name: 'Organisation name' })).toBeEditable();
    await expect(page.getByText('Set by your administrator')).toHaveCount(0);

    await page.getByRole('tab', { name: 'Email' }).click();
    await expectLocked(page.getByRole('tabpanel', { name: 'Email' }).getByRole('textbox', { name: 'Compose with' }), 'Built-in mailer');
    await expect(page.getByRole('tabpanel', { name: 'Email' }).getByRole('combobox', { name: 'Send with' })).toBeVisible();

    const smtp = await openSmtpProfile(page, 'Head office');
    await expectLocked(smtp.getByRole('textbox', { name: 'Server host', exact: true }), 'smtp.harbour.example');
    await expectLocked(smtp.getByRole('textbox', { name: 'Port', exact: true }), '587');
    await expectLocked(smtp.getByRole('textbox', { name: 'Transport security' }), 'STARTTLS required');
    await expectLocked(smtp.getByRole('textbox', { name: 'From address' }), 'invoices@harbour.example');
    await expect(smtp.getByRole('textbox', { name: 'From name' })).toBeEditable();
    await expect(smtp.getByRole('button', { name: 'Delete' })).toBeDisabled();

    // A save that leaves the locked fields as they are goes through.
    const before = served.mailroom.readSettingsFile() as { general: { alertFrom: string } };
    await page.getByRole('tab', { name: 'General' }).click();
    await general.getByRole('textbox', { name: 'Organisation name' }).fill('Harbour Accounts Ltd');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByText('Settings saved')).toBeVisible();
    // The file has the change, and keeps what was saved for the locked field: the policy is not written down.
    expect(before.general.alertFrom).not.toBe('alerts@harbour.example');
    expect(served.mailroom.readSettingsFile()).toMatchObject({ general: { organisationName: 'Harbour Accounts Ltd', alertFrom: before.general.alertFrom } });
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  test('has the profile it names on the first start, as the default, with no click', async ({ browser, served }) => {
    expect(served.mailroom.readSettingsFile()).toMatchObject({
      general: { defaultProfile: 'head-office' },
      smtp: { profiles: [{ id: 'head-office', name: 'Head office', host: 'smtp.harbour.example', port: 587, security: 'starttls-required', username: '' }] },
    });
    const { page, context } = await openDialog(browser, served.mailroom);
    await page.getByRole('tab', { name: 'SMTP' }).click();
    const option = page.getByRole('tabpanel', { name: 'SMTP' }).getByRole('option', { name: /^Head office/ });
    await expect(option).toContainText('Default');
    await expect(option).toContainText('smtp.harbour.example:587');
    await context.close();
  });

  test('tells a user who is not an administrator which fields the organisation set and which the administrator', async ({ browser, served }) => {
    const { mailroom } = served;
    // As an administrator left them: someone else is the administrator now.
    const settings = mailroom.readSettingsFile() as { users: unknown[] };
    settings.users = [
      { id: 'u-boss', account: 'CONTOSO\\boss', name: 'Bea Boss', email: '', admin: true, smtpUsername: '', compose: null, send: null },
      { id: 'u-me', account: os.userInfo().username, name: 'Morgan', email: '', admin: false, smtpUsername: '', compose: null, send: null },
    ];
    fs.writeFileSync(mailroom.settingsFile, JSON.stringify(settings, null, 2));
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(mailroom.url);
    await expect(page.getByRole('group', { name: 'View only' })).toBeVisible();
    const general = page.getByRole('tabpanel', { name: 'General' });
    await expectLocked(general.getByRole('textbox', { name: 'Alert From mailbox' }), 'alerts@harbour.example');
    const organisation = general.getByRole('textbox', { name: 'Organisation name' });
    await expect(organisation).not.toBeEditable();
    await expect(organisation).toHaveAccessibleDescription(/Set by your administrator/);
    await context.close();
  });

  test('the General and SMTP tabs with locked fields have no axe violations, light and dark', async ({ browser, served }) => {
    const { page, context } = await openDialog(browser, served.mailroom);
    try {
      await showWholePage(page);
      await expectAccessibleInBothThemes(page, 'the General tab with fields set by policy');
      await openSmtpProfile(page, 'Head office');
      await showWholePage(page);
      await expectAccessibleInBothThemes(page, 'the SMTP tab with a profile set by policy');
    } finally {
      await context.close();
    }
  });
});

test.describe('machine policy through the API and the command line', () => {
  test('refuses a change to a locked setting with 403, to an administrator too, naming it and the policy file', async ({ served }) => {
    const { mailroom, policyFile } = served;
    const who = await invoke(mailroom, 'app:whoami');
    expect(who.body).toMatchObject({ ok: true, value: { admin: true } });
    const read = await invoke(mailroom, 'settings:get');
    const settings = read.body.value as { general: { alertFrom: string; organisationName: string }; smtp: { profiles: { host: string }[] } };
    const before = JSON.stringify(mailroom.readSettingsFile());

    const alert = structuredClone(settings);
    alert.general.alertFrom = 'mine@harbour.example';
    alert.general.organisationName = 'Harbour';
    const refused = await invoke(mailroom, 'settings:save', alert);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ ok: false, error: { code: 'forbidden', message: `${NOTE}, so nobody can change it here: general.alertFrom (${policyFile}). Nothing was changed.` } });

    const host = structuredClone(settings);
    host.general.organisationName = 'Harbour';
    host.smtp.profiles[0]!.host = 'elsewhere.example';
    const refusedHost = await invoke(mailroom, 'settings:save', host);
    expect(refusedHost.status).toBe(403);
    expect(refusedHost.body.error?.message).toContain(`smtp.profiles.head-office.host (${policyFile})`);
    expect(JSON.stringify(mailroom.readSettingsFile())).toBe(before);
  });

  test('mailroom policy show --json lists what is locked and what was ignored', async ({ served }) => {
    const { mailroom, policyFile } = served;
    const out = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'mailroom.cjs'), 'policy', 'show', '--json'], {
      cwd: REPO_ROOT,
      env: { ...process.env, MAILROOM_DATA_DIR: mailroom.dataDir, MAILROOM_POLICY_FILE: policyFile },
      encoding: 'utf8',
    });
    expect(out.status, out.stderr).toBe(0);
    const view = JSON.parse(out.stdout) as { sources: unknown[]; entries: { path: string; value: unknown; source: string }[]; problems: { path: string }[] };
    expect(view.sources).toEqual([{ location: policyFile, found: true }]);
    expect(view.entries.map((e) => e.path)).toEqual(
      expect.arrayContaining(['general.alertFrom', 'general.debug.enabled', 'mail.compose', 'smtp.profiles.head-office.host', 'smtp.profiles.head-office.port']),
    );
    expect(view.entries).toContainEqual({ path: 'smtp.profiles.head-office.port', value: 587, source: policyFile });
    expect(view.problems.map((p) => p.path)).toEqual(['general.debug.retentionDays']);
  });
});

test.describe('screenshots @shots', () => {
  test('the General and SMTP tabs with fields set by machine policy, light and dark, at 1024×768', async ({ browser, served }) => {
    const dir = shotsDir();
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, context } = await openDialog(browser, served.mailroom, { colorScheme });
      try {
        await page.setViewportSize({ width: 1024, height: 768 });
        await page.mouse.move(1, 1);
        await page.screenshot({ path: path.join(dir, `policy-general-${colorScheme}.png`) });
        await openSmtpProfile(page, 'Head office');
        await page.mouse.move(1, 1);
        await page.screenshot({ path: path.join(dir, `policy-smtp-${colorScheme}.png`) });
      } finally {
        await context.close();
      }
    }
  });
});
