// An open dialog follows changes made elsewhere, pushed by the server rather than polled: settings
// changed with the command line show within 2 s, a save based on the old settings is refused with
// a clear message and overwrites nothing, and a message queued by the command line shows in Activity.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { defaultSettings, newProfile, type Settings } from '../../preload/contract';
import { REPO_ROOT, test, expect, type MailroomServer } from './fixtures';
import { expectNoViolations, showWholePage } from './axe';
import { openDialog } from './open-dialog';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'bin', 'mailroom.cjs');
const PUSHED_WITHIN_MS = 2_000;

async function invoke(mailroom: MailroomServer, channel: string, input: unknown): Promise<unknown> {
  const response = await fetch(`${mailroom.origin}/api/invoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${mailroom.token}` },
    body: JSON.stringify({ channel, input }),
  });
  const body = (await response.json()) as { ok: boolean; value?: unknown; error?: unknown };
  expect(body.error, `${channel} succeeds`).toBeUndefined();
  return body.value;
}

async function seed(mailroom: MailroomServer, changes: Partial<Settings> = {}): Promise<void> {
  const base = defaultSettings();
  await invoke(mailroom, 'settings:save', {
    ...base,
    general: { ...base.general, organisationName: 'Harbour Accounts Ltd', alertFrom: 'alerts@harbour.example', systemNotification: 'it-notices@harbour.example' },
    ...changes,
  });
}

/** The command line, as another process on the server's data folder. */
async function cli(mailroom: MailroomServer, ...args: string[]): Promise<void> {
  await run(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, MAILROOM_DATA_DIR: mailroom.dataDir } });
}

function savedRetryHours(mailroom: MailroomServer): unknown {
  return (mailroom.readSettingsFile() as Settings).outbox.retryForHours;
}

function dialog(page: Page) {
  const general = page.getByRole('tabpanel', { name: 'General' });
  const bar = page.getByRole('group').filter({ hasText: 'Settings were changed elsewhere' }).or(page.locator('.fui-MessageBar').filter({ hasText: 'Settings were changed elsewhere' }));
  return {
    retryHours: general.getByRole('spinbutton', { name: 'Keep retrying for (hours)' }),
    organisationName: general.getByRole('textbox', { name: 'Organisation name' }),
    bar,
    reload: page.getByRole('button', { name: 'Reload', exact: true }),
    keepMine: page.getByRole('button', { name: 'Keep my changes', exact: true }),
    save: page.getByRole('button', { name: 'Save', exact: true }),
    unsaved: page.getByRole('status').filter({ hasText: 'Unsaved changes' }),
  };
}

test('a setting changed with the command line shows at once; a stale save is refused; Reload and Keep my changes', async ({ browser, mailroom }) => {
  await seed(mailroom);
  const { context, page, pageErrors } = await openDialog(browser, mailroom);
  try {
    const ui = dialog(page);
    await expect(ui.retryHours).toHaveValue('48');

    // Nothing edited: the dialog quietly shows what the command line saved.
    await cli(mailroom, 'settings', 'set', 'outbox.retryForHours', '12');
    await expect(ui.retryHours).toHaveValue('12', { timeout: PUSHED_WITHIN_MS });
    await expect(ui.unsaved).toHaveCount(0);
    await expect(ui.bar).toHaveCount(0);

    // Edited here, then changed there: the dialog says so and names the field.
    await ui.retryHours.fill('24');
    await ui.organisationName.fill('Harbour Accounts (North)');
    await cli(mailroom, 'settings', 'set', 'outbox.retryForHours', '36');
    await expect(ui.bar).toBeVisible({ timeout: PUSHED_WITHIN_MS });
    await expect(ui.bar).toContainText('Keep retrying for (hours)');
    await expect(ui.retryHours, 'the edit stays until the user chooses').toHaveValue('24');

    // Save anyway: refused with the clear message, and nothing overwritten.
    await ui.save.click();
    await expect(ui.bar).toContainText('since you opened them');
    await expect(ui.bar).toContainText('Nothing was saved');
    await expect(page.getByText('Settings saved', { exact: true })).toHaveCount(0);
    expect(savedRetryHours(mailroom)).toBe(36);
    await showWholePage(page);
    await expectNoViolations(page, 'the dialog with a change made elsewhere');

    // Reload drops the edits and shows the command line's value.
    await ui.reload.click();
    await expect(ui.retryHours).toHaveValue('36');
    await expect(ui.organisationName).toHaveValue('Harbour Accounts Ltd');
    await expect(ui.bar).toHaveCount(0);
    await expect(ui.unsaved).toHaveCount(0);

    // Keep my changes saves the edit over the command line's, and keeps its other changes.
    await ui.retryHours.fill('24');
    await cli(mailroom, 'settings', 'set', 'outbox.retryForHours', '60');
    await cli(mailroom, 'settings', 'set', 'general.systemNotification', 'desk@harbour.example');
    // Both changes pushed before choosing: the bar can show for the first while the second is
    // still on its way, and keeping the edit over the first only would be refused by the second.
    await expect(ui.bar).toContainText('System Notification mailbox', { timeout: PUSHED_WITHIN_MS });
    await ui.keepMine.click();
    await expect(page.getByText('Settings saved', { exact: true })).toBeVisible();
    await expect(ui.bar).toHaveCount(0);
    await expect(ui.unsaved).toHaveCount(0);
    expect(savedRetryHours(mailroom)).toBe(24);
    expect((mailroom.readSettingsFile() as Settings).general.systemNotification).toBe('desk@harbour.example');
    await expect(ui.retryHours).toHaveValue('24');
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

/** A loopback port nobody listens on: the relay is down, so a queued message stays queued. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a message queued with the command line shows in Activity within 2 s, without polling', async ({ browser, mailroom }) => {
  const profile = { ...newProfile('p-branch', 'Branch relay'), host: '127.0.0.1', port: await closedPort(), security: 'none' as const, auth: 'none' as const, fromName: 'Harbour', fromAddress: 'accounts@harbour.example', timeoutSeconds: 5 };
  await seed(mailroom, { smtp: { profiles: [profile] } });
  const { context, page, pageErrors } = await openDialog(browser, mailroom);
  try {
    const reads: number[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/invoke') && (request.postData() ?? '').includes('"outbox:list"')) reads.push(Date.now());
    });
    await page.getByRole('tab', { name: 'Activity' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Activity' });
    await expect(panel.getByText('No messages yet')).toBeVisible();
    // Nothing changes: nothing is read again (the one read a second is gone).
    await page.waitForTimeout(300);
    const settled = reads.length;
    await page.waitForTimeout(2_000);
    expect(reads.length, 'reads while nothing changed').toBe(settled);

    const batch = path.join(mailroom.dataDir, 'batch.csv');
    fs.writeFileSync(batch, 'to,subject,text\nap@northwind.example,Remittance advice 77,Paid.\n');
    await cli(mailroom, 'send', '--profile', 'Branch relay', '--batch', batch, '--no-wait');
    const table = panel.getByRole('table', { name: /messages$/i });
    await expect(table.getByRole('button', { name: 'Remittance advice 77', exact: true })).toBeVisible({ timeout: PUSHED_WITHIN_MS });
    await showWholePage(page);
    await expectNoViolations(page, 'Activity with a message queued elsewhere');
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});
