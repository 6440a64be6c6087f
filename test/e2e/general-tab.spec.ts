// The General tab as an administrator uses it: fill it in, meet the validation, save, come back.
// Everything is found by role and accessible name, the way a screen reader sees the page.
import { type Locator, type Page } from '@playwright/test';
import { test, expect, type MailroomServer } from './fixtures';

const MAILBOX_HINT = 'Enter one email address, like accounts@example.com';

/** What the journey saves, as it must land in settings.json. */
const JOURNEY_SETTINGS = {
  version: 5,
  general: {
    organisationName: 'Harbour Accounts Ltd',
    alertFrom: 'alerts@harbour.example',
    systemNotification: 'it-notices@harbour.example',
    bouncedAlerts: 'bounces@harbour.example',
    debug: { enabled: true, path: '/var/log/mailroom', level: 'debug', retentionDays: 30 },
    defaultProfile: '',
  },
  smtp: { profiles: [] },
  outbox: { retryForHours: 48 },
  mail: { allowM365Web: false, compose: 'builtin', composeUserSelectable: false, send: 'smtp', sendUserSelectable: false },
  users: [],
};

function generalTab(page: Page) {
  const panel = page.getByRole('tabpanel', { name: 'General' });
  return {
    tab: page.getByRole('tab', { name: 'General' }),
    panel,
    organisationName: panel.getByRole('textbox', { name: 'Organisation name' }),
    alertFrom: panel.getByRole('textbox', { name: 'Alert From mailbox' }),
    systemNotification: panel.getByRole('textbox', { name: 'System Notification mailbox' }),
    bouncedAlerts: panel.getByRole('textbox', { name: 'Bounced Alerts mailbox' }),
    debugLogging: panel.getByRole('switch', { name: 'Debug logging' }),
    debugPath: panel.getByRole('textbox', { name: 'Debug folder' }),
    logLevel: panel.getByRole('combobox', { name: 'Log level' }),
    retentionDays: panel.getByRole('spinbutton', { name: 'Keep logs for (days)' }),
    dataFolder: panel.getByLabel('Data folder', { exact: true }),
    save: page.getByRole('button', { name: 'Save', exact: true }),
    revert: page.getByRole('button', { name: 'Revert', exact: true }),
    unsaved: page.getByRole('status').filter({ hasText: 'Unsaved changes' }),
  };
}

/** Opens the dialog from the address the server printed and waits until the settings are loaded. */
async function openDialog(page: Page, mailroom: MailroomServer) {
  await page.goto(mailroom.url);
  const ui = generalTab(page);
  await expect(ui.organisationName).toBeEditable();
  return ui;
}

/** The field's error is shown and tied to its control: aria-invalid, and aria-describedby naming the message. */
async function expectFieldError(control: Locator, message: string) {
  await expect(control).toHaveAttribute('aria-invalid', 'true');
  await expect(control).toHaveAccessibleDescription(new RegExp(escapeRegExp(message)));
  const describedBy = (await control.getAttribute('aria-describedby'))?.split(/\s+/).filter(Boolean) ?? [];
  expect(describedBy, 'the control names its description elements').not.toHaveLength(0);
  const texts = await Promise.all(
    describedBy.map((id) => control.page().locator(`[id="${id}"]`).textContent()),
  );
  expect(texts.map((t) => t?.trim()), 'one aria-describedby element is the error message').toContain(message);
}

async function expectNoFieldError(control: Locator) {
  await expect(control).not.toHaveAttribute('aria-invalid', 'true');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether the control is marked required to assistive technology (required attribute or aria-required). */
function isRequired(control: Locator): Promise<boolean> {
  return control.evaluate((el) => (el as HTMLInputElement).required || el.getAttribute('aria-required') === 'true');
}

async function saveThroughApi(mailroom: MailroomServer, settings: unknown) {
  const response = await fetch(`${mailroom.origin}/api/invoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${mailroom.token}` },
    body: JSON.stringify({ channel: 'settings:save', input: settings }),
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ ok: true });
}

test('fill in the General tab, meet its validation, save and find everything again', async ({ page, mailroom }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const ui = await openDialog(page, mailroom);
  await expect(ui.tab).toHaveAttribute('aria-selected', 'true');
  await expect(ui.dataFolder).toHaveValue(mailroom.dataDir);
  await expect(ui.dataFolder).not.toBeEditable();
  await expect(ui.unsaved).toHaveCount(0);
  await expect(ui.save).toBeDisabled();
  expect(mailroom.readSettingsFile(), 'a fresh data folder has no settings file').toBeNull();

  // A malformed mailbox: the message appears under the field once the user leaves it.
  await ui.organisationName.fill(JOURNEY_SETTINGS.general.organisationName);
  await ui.alertFrom.fill('accounts at example');
  await expectNoFieldError(ui.alertFrom);
  await ui.alertFrom.press('Tab');
  await expectFieldError(ui.alertFrom, MAILBOX_HINT);
  await expect(ui.unsaved).toBeVisible();

  // Save refuses: the error stays, focus goes to the field, nothing reaches the disk.
  await ui.save.click();
  await expect(page.getByText('Not saved')).toBeVisible();
  await expectFieldError(ui.alertFrom, MAILBOX_HINT);
  await expect(ui.alertFrom).toBeFocused();
  expect(mailroom.readSettingsFile(), 'a refused save writes nothing').toBeNull();

  // Fixing the address clears its error.
  await ui.alertFrom.fill(JOURNEY_SETTINGS.general.alertFrom);
  await expectNoFieldError(ui.alertFrom);
  await ui.systemNotification.fill(JOURNEY_SETTINGS.general.systemNotification);
  await ui.bouncedAlerts.fill(JOURNEY_SETTINGS.general.bouncedAlerts);

  // Debug logging on makes the debug file path required.
  expect(await isRequired(ui.debugPath), 'the path is optional while debug logging is off').toBe(false);
  await expect(ui.debugLogging).not.toBeChecked();
  await ui.debugLogging.click();
  await expect(ui.debugLogging).toBeChecked();
  await expect.poll(() => isRequired(ui.debugPath), { message: 'the path is required once debug logging is on' }).toBe(true);
  await ui.save.click();
  await expectFieldError(ui.debugPath, 'Required while debug logging is on');
  await expect(ui.debugPath).toBeFocused();
  expect(mailroom.readSettingsFile(), 'a refused save writes nothing').toBeNull();

  await ui.debugPath.fill(JOURNEY_SETTINGS.general.debug.path);
  await expectNoFieldError(ui.debugPath);
  await expect(ui.logLevel).toHaveText('Information');
  await ui.logLevel.click();
  await page.getByRole('option', { name: 'Full conversation (debug)' }).click();
  await expect(ui.logLevel).toHaveText('Full conversation (debug)');
  await expect(ui.retentionDays).toHaveValue('14');
  await ui.retentionDays.fill(String(JOURNEY_SETTINGS.general.debug.retentionDays));
  await expect(ui.unsaved).toBeVisible();

  await ui.save.click();
  await expect(page.getByText('Settings saved')).toBeVisible();
  await expect(ui.unsaved).toHaveCount(0);
  await expect(ui.save).toBeDisabled();
  expect(mailroom.readSettingsFile()).toEqual(JOURNEY_SETTINGS);

  // A reload (no unsaved changes, so no prompt) shows every saved value.
  await page.reload();
  const again = generalTab(page);
  await expect(again.organisationName).toBeEditable();
  await expect(again.tab).toHaveAttribute('aria-selected', 'true');
  await expect(again.organisationName).toHaveValue(JOURNEY_SETTINGS.general.organisationName);
  await expect(again.alertFrom).toHaveValue(JOURNEY_SETTINGS.general.alertFrom);
  await expect(again.systemNotification).toHaveValue(JOURNEY_SETTINGS.general.systemNotification);
  await expect(again.bouncedAlerts).toHaveValue(JOURNEY_SETTINGS.general.bouncedAlerts);
  await expect(again.debugLogging).toBeChecked();
  await expect(again.debugPath).toHaveValue(JOURNEY_SETTINGS.general.debug.path);
  await expect(again.logLevel).toHaveText('Full conversation (debug)');
  await expect(again.retentionDays).toHaveValue(String(JOURNEY_SETTINGS.general.debug.retentionDays));
  await expect(again.unsaved).toHaveCount(0);
  expect(mailroom.readSettingsFile()).toEqual(JOURNEY_SETTINGS);
  expect(pageErrors, 'uncaught errors in the page').toEqual([]);
});

test('Revert puts back the saved values', async ({ page, mailroom }) => {
  await saveThroughApi(mailroom, JOURNEY_SETTINGS);
  const before = mailroom.readSettingsFile();
  const ui = await openDialog(page, mailroom);
  await expect(ui.organisationName).toHaveValue(JOURNEY_SETTINGS.general.organisationName);
  await expect(ui.revert).toBeDisabled();

  await ui.organisationName.fill('Someone Else Ltd');
  await ui.alertFrom.fill('not an address');
  await ui.alertFrom.press('Tab');
  await expectFieldError(ui.alertFrom, MAILBOX_HINT);
  await ui.debugLogging.click();
  await expect(ui.debugLogging).not.toBeChecked();
  await ui.retentionDays.fill('90');
  await expect(ui.unsaved).toBeVisible();

  await ui.revert.click();
  await expect(ui.unsaved).toHaveCount(0);
  await expect(ui.organisationName).toHaveValue(JOURNEY_SETTINGS.general.organisationName);
  await expect(ui.alertFrom).toHaveValue(JOURNEY_SETTINGS.general.alertFrom);
  await expectNoFieldError(ui.alertFrom);
  await expect(ui.debugLogging).toBeChecked();
  await expect(ui.debugPath).toHaveValue(JOURNEY_SETTINGS.general.debug.path);
  await expect(ui.logLevel).toHaveText('Full conversation (debug)');
  await expect(ui.retentionDays).toHaveValue(String(JOURNEY_SETTINGS.general.debug.retentionDays));
  await expect(ui.save).toBeDisabled();
  await expect(ui.revert).toBeDisabled();
  expect(mailroom.readSettingsFile(), 'Revert does not touch the file').toEqual(before);
});

test('leaving with unsaved changes asks first', async ({ page, mailroom }) => {
  await saveThroughApi(mailroom, JOURNEY_SETTINGS);
  const ui = await openDialog(page, mailroom);

  // A clean form reloads without a prompt.
  const unexpected: string[] = [];
  const recordDialog = (dialog: { type(): string }) => unexpected.push(dialog.type());
  page.on('dialog', recordDialog);
  await page.reload();
  await expect(ui.organisationName).toHaveValue(JOURNEY_SETTINGS.general.organisationName);
  page.off('dialog', recordDialog);
  expect(unexpected, 'no prompt without unsaved changes').toEqual([]);

  // Typing (a real user gesture, which Chromium requires before it will prompt) makes the form dirty.
  await ui.organisationName.click();
  await ui.organisationName.pressSequentially(' (draft)');
  await expect(ui.unsaved).toBeVisible();

  // Stay: the prompt is dismissed, the reload cancelled, the edit still there. (The reload is asked
  // for from the page, as F5 would: page.reload() would wait for a navigation that never comes.)
  const firstPrompt = page.waitForEvent('dialog');
  await page.evaluate(() => {
    Object.assign(window, { e2eSameDocument: true });
    setTimeout(() => window.location.reload(), 0);
  });
  const stay = await firstPrompt;
  expect(stay.type()).toBe('beforeunload');
  await stay.dismiss();
  expect(await page.evaluate(() => 'e2eSameDocument' in window), 'the page was not reloaded').toBe(true);
  await expect(ui.organisationName).toHaveValue(`${JOURNEY_SETTINGS.general.organisationName} (draft)`);
  await expect(ui.unsaved).toBeVisible();

  // Leave: the reload goes ahead and the saved value is back.
  const secondPrompt = page.waitForEvent('dialog');
  const reload = page.reload();
  const leave = await secondPrompt;
  expect(leave.type()).toBe('beforeunload');
  await leave.accept();
  await reload;
  await expect(ui.organisationName).toHaveValue(JOURNEY_SETTINGS.general.organisationName);
  await expect(ui.unsaved).toHaveCount(0);
});
