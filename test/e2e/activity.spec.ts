// The Activity tab against real servers on loopback: messages queued by the command line (as a
// script or a second session would) are sent by the running `mailroom serve` and shown with their
// state, recipients, the server's reply and the advice; Retry and Cancel act on them; a batch shows
// its progress; the debug folder button says why it cannot open. Found by role and name throughout.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Locator, Page } from '@playwright/test';
import { SMTPServer } from 'smtp-server';
import { defaultSettings, newProfile, type Settings, type SmtpProfile } from '../../preload/contract';
import { REPO_ROOT, test, expect, type MailroomServer } from './fixtures';
import { expectAccessibleInBothThemes, showWholePage } from './axe';
import { openDialog, type ColorScheme } from './open-dialog';
import { shotsDir } from './shots/shots';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'bin', 'mailroom.cjs');

const GENERAL = {
  organisationName: 'Harbour Accounts Ltd',
  alertFrom: 'alerts@harbour.example',
  systemNotification: 'it-notices@harbour.example',
};
const FROM_ADDRESS = 'accounts@harbour.example';
const RELAY = 'Harbour relay';
/** The address the relay refuses for good (550) while `refuseUnknown` is set. */
const UNKNOWN = 'nobody@customer.example';
const REFUSAL = '5.1.1 <nobody@customer.example>: Recipient address rejected: User unknown';


// ---- a relay on loopback -------------------------------------------------------------------------

interface Relay {
  host: string;
  port: number;
  /** Refuse UNKNOWN with 550 (true) or accept it like anyone else. */
  refuseUnknown: boolean;
  /** How long each message waits before the server answers its data, in ms. */
  delayMs: number;
  /** Subjects of the messages accepted, in order. */
  received: string[];
  close(): Promise<void>;
}

/** A plain relay (no TLS, no sign-in) that answers like a provider's: 550 for a mailbox it does not know. */
async function startRelay(options: { delayMs?: number } = {}): Promise<Relay> {
  const relay: Relay = {
    host: '127.0.0.1',
    port: 0,
    refuseUnknown: true,
    delayMs: options.delayMs ?? 0,
    received: [],
    close: async () => undefined,
  };
  const server = new SMTPServer({
    logger: false,
    secure: false,
    name: 'mx.harbour.example',
    banner: 'Harbour test relay',
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    closeTimeout: 200,
    onRcptTo(address, _session, callback) {
      if (relay.refuseUnknown && address.address.toLowerCase() === UNKNOWN) {
        callback(Object.assign(new Error(REFUSAL), { responseCode: 550 }));
      } else callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = /^Subject: (.*)$/im.exec(raw)?.[1]?.trim() ?? '';
        setTimeout(() => {
          relay.received.push(subject);
          callback();
        }, relay.delayMs);
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  relay.port = (server.server.address() as net.AddressInfo).port;
  relay.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return relay;
}

/** A loopback port nothing listens on: a relay that is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const withRelay = test.extend<{ relay: Relay }>({
  // Playwright reads a fixture's dependencies from this pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  relay: async ({}, use) => {
    const relay = await startRelay();
    try {
      await use(relay);
    } finally {
      await relay.close();
    }
  },
});

// ---- settings and messages, the way a script or an earlier session leaves them ---------------

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

function profile(id: string, name: string, port: number, changes: Partial<SmtpProfile> = {}): SmtpProfile {
  return {
    ...newProfile(id, name),
    host: '127.0.0.1',
    port,
    security: 'none',
    auth: 'none',
    fromName: 'Harbour Accounts',
    fromAddress: FROM_ADDRESS,
    timeoutSeconds: 10,
    ...changes,
  };
}

async function seed(mailroom: MailroomServer, profiles: SmtpProfile[], general: Partial<Settings['general']> = {}): Promise<Settings> {
  const base = defaultSettings();
  const settings: Settings = {
    ...base,
    general: { ...base.general, ...GENERAL, defaultProfile: profiles[0]?.id ?? '', ...general },
    smtp: { profiles },
  };
  return (await invoke(mailroom, 'settings:save', settings)) as Settings;
}

interface Row {
  to: string;
  subject: string;
  /** A file name beside the batch file. */
  attachment?: string;
}

/** Queues a batch with `mailroom send --batch --no-wait` on the server's data folder; the running server sends it. */
async function queueBatch(mailroom: MailroomServer, profileName: string, rows: readonly Row[]): Promise<void> {
  const file = path.join(mailroom.dataDir, `batch-${Date.now()}-${Math.random().toString(36).slice(2)}.csv`);
  const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const lines = ['to,subject,text,attachments', ...rows.map((r) => [r.to, r.subject, `Please find ${r.subject} attached.`, r.attachment ?? ''].map(quote).join(','))];
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const env: NodeJS.ProcessEnv = { ...process.env, MAILROOM_DATA_DIR: mailroom.dataDir };
  await run(process.execPath, [CLI, 'send', '--profile', profileName, '--batch', file, '--no-wait'], { cwd: REPO_ROOT, env });
}

// ---- the page ------------------------------------------------------------------------------------

async function openActivity(browser: Browser, mailroom: MailroomServer, options: { colorScheme?: ColorScheme; height?: number } = {}) {
  const opened = await openDialog(browser, mailroom, options);
  await opened.page.getByRole('tab', { name: 'Activity' }).click();
  return { ...opened, ui: activityTab(opened.page) };
}

function activityTab(page: Page) {
  const panel = page.getByRole('tabpanel', { name: 'Activity' });
  const table = panel.getByRole('table', { name: /messages$/i });
  return {
    panel,
    heading: panel.getByRole('heading', { name: 'Activity', level: 2 }),
    /** The number the summary shows for a state. */
    count: (state: string) =>
      panel.getByRole('group', { name: 'Messages by state' }).getByRole('term').filter({ hasText: new RegExp(`^${state}$`) }).locator('xpath=following-sibling::dd[1]'),
    filter: (name: string) => panel.getByRole('tablist', { name: 'Show messages' }).getByRole('tab', { name, exact: true }),
    table,
    /** The row of the message with this subject (the subject is its disclosure button). */
    row: (subject: string) => table.getByRole('row').filter({ has: page.getByRole('button', { name: subject, exact: true }) }),
    openDebugFolder: panel.getByRole('button', { name: 'Open debug log folder' }),
    save: page.getByRole('button', { name: 'Save', exact: true }),
    revert: page.getByRole('button', { name: 'Revert', exact: true }),
  };
}

type ActivityUi = ReturnType<typeof activityTab>;

/** The cells of a row by column name. */
async function cells(ui: ActivityUi, row: Locator): Promise<Record<string, string>> {
  // The first row's headers: an opened row holds a table of its own.
  const headers = await ui.table.getByRole('row').first().getByRole('columnheader').allTextContents();
  const values = await row.getByRole('cell').allTextContents();
  return Object.fromEntries(headers.map((h, i) => [h.trim(), (values[i] ?? '').trim()]));
}

/** The details row that follows a row once it is opened. */
function detailsOf(row: Locator): Locator {
  return row.locator('xpath=following-sibling::tr[1]');
}



// ---- the tests -----------------------------------------------------------------------------------

withRelay('sent and failed messages with their replies and advice; Retry queues a failed one again', async ({ browser, mailroom, relay }) => {
  await seed(mailroom, [profile('p-harbour', RELAY, relay.port)]);
  await queueBatch(mailroom, RELAY, [
    { to: 'ap@northwind.example', subject: 'Invoice 1042' },
    { to: UNKNOWN, subject: 'Invoice 1043' },
    { to: 'billing@contoso.example', subject: 'Statement March' },
  ]);
  // A test email from the SMTP tab's path, for its tag.
  await invoke(mailroom, 'smtp:send-test', { profile: profile('p-harbour', RELAY, relay.port), password: null, to: 'admin@harbour.example' });

  const { context, page, pageErrors, ui } = await openActivity(browser, mailroom);
  try {
    await expect(ui.heading).toBeVisible();
    const sent = ui.row('Invoice 1042');
    const failed = ui.row('Invoice 1043');
    await expect(sent.getByText('Sent', { exact: true })).toBeVisible({ timeout: 15_000 });
    await expect(failed.getByText('Failed', { exact: true })).toBeVisible({ timeout: 15_000 });
    await expect(ui.row('Statement March').getByText('Sent', { exact: true })).toBeVisible();

    const sentCells = await cells(ui, sent);
    expect(sentCells).toMatchObject({ State: 'Sent', Recipients: 'ap@northwind.example', Subject: 'Invoice 1042', Profile: RELAY, Attempts: '1' });
    expect(sentCells['Last reply']).toMatch(/^250 /);
    const failedCells = await cells(ui, failed);
    expect(failedCells).toMatchObject({ State: 'Failed', Recipients: UNKNOWN, Subject: 'Invoice 1043', Profile: RELAY, Attempts: '1' });
    expect(failedCells['Last reply']).toContain(`550 ${REFUSAL}`);
    // Only what can be done is offered.
    await expect(failed.getByRole('button', { name: 'Retry' })).toBeVisible();
    await expect(sent.getByRole('button', { name: 'Retry' })).toHaveCount(0);
    await expect(sent.getByRole('button', { name: 'Cancel' })).toHaveCount(0);

    // The test email carries its tag; the failure raised an alert to System Notification, tagged too.
    await expect(ui.row('Mailroom test email (Harbour relay)').getByText('Test', { exact: true })).toBeVisible();
    const alert = ui.row('Not sent: Invoice 1043');
    await expect(alert.getByText('Alert', { exact: true })).toBeVisible({ timeout: 15_000 });
    await expect(alert.getByRole('cell').nth(1)).toHaveText(GENERAL.systemNotification);

    // The counts: 2 invoices/statements + the test + the alert sent, 1 failed.
    await expect(ui.count('Sent')).toHaveText('4');
    await expect(ui.count('Failed')).toHaveText('1');
    await expect(ui.count('Queued')).toHaveText('0');

    // Opening the failed row: the advice, in the order a reader needs it, and each recipient's answer.
    const disclosure = failed.getByRole('button', { name: 'Invoice 1043' });
    await expect(disclosure).toHaveAttribute('aria-expanded', 'false');
    await disclosure.click();
    await expect(disclosure).toHaveAttribute('aria-expanded', 'true');
    const details = detailsOf(failed);
    await expect(details.getByRole('heading', { level: 3 }).first()).toBeVisible();
    const advice = details.locator('[data-advice-code]');
    await expect(advice.getByRole('term')).toHaveText(['What the server said', 'Likely cause', 'What to do']);
    await expect(advice.locator('pre')).toHaveText(`550 ${REFUSAL}`);
    const recipients = details.getByRole('region', { name: 'Recipients' });
    const recipientRow = recipients.getByRole('row', { name: new RegExp(UNKNOWN) });
    await expect(recipientRow).toContainText('Rejected');
    await expect(recipientRow).toContainText('550');

    // The filter shows one state at a time.
    await ui.filter('Failed').click();
    await expect(ui.filter('Failed')).toHaveAttribute('aria-selected', 'true');
    await expect(ui.table.getByRole('button', { name: /^Invoice/ })).toHaveText(['Invoice 1043']);
    await ui.filter('Queued').click();
    await expect(ui.panel.getByText('No queued messages')).toBeVisible();
    await ui.filter('All').click();

    // Retry takes the message back into the queue and tries it again at once; the mailbox still
    // does not exist, so the server refuses it a second time and it is Failed again.
    await failed.getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByRole('status').filter({ hasText: '“Invoice 1043” is queued to be sent again.' })).toBeAttached();
    await expect(failed.getByRole('cell').nth(4)).toHaveText('2', { timeout: 15_000 });
    await expect(ui.count('Failed')).toHaveText('1');
    await expect(failed.getByRole('button', { name: 'Retry' })).toBeVisible();
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

withRelay('Retry delivers to a recipient refused before, once the mailbox exists', async ({ browser, mailroom, relay }) => {
  await seed(mailroom, [profile('p-harbour', RELAY, relay.port)]);
  await queueBatch(mailroom, RELAY, [{ to: UNKNOWN, subject: 'Invoice 1043' }]);
  const { context, ui } = await openActivity(browser, mailroom);
  try {
    const row = ui.row('Invoice 1043');
    await expect(row.getByText('Failed', { exact: true })).toBeVisible({ timeout: 15_000 });
    relay.refuseUnknown = false;
    await row.getByRole('button', { name: 'Retry' }).click();
    await expect(row.getByText('Sent', { exact: true })).toBeVisible({ timeout: 8_000 });
    expect(await cells(ui, row)).toMatchObject({ State: 'Sent', Attempts: '2' });
    await row.getByRole('button', { name: 'Invoice 1043' }).click();
    const details = detailsOf(row);
    // Sent now: the old advice no longer shows, and the recipient is accepted.
    await expect(details.locator('[data-advice-code]')).toHaveCount(0);
    await expect(details.getByRole('region', { name: 'Recipients' }).getByRole('row', { name: new RegExp(UNKNOWN) })).toContainText('Accepted');
    expect(relay.received).toContain('Invoice 1043');
  } finally {
    await context.close();
  }
});

test('Cancel asks first, then marks a queued message Cancelled', async ({ browser, mailroom }) => {
  // The relay is down: the message waits in the queue for its next try.
  await seed(mailroom, [profile('p-down', 'Branch relay', await closedPort())]);
  await queueBatch(mailroom, 'Branch relay', [{ to: 'ap@northwind.example', subject: 'Remittance advice 77' }]);

  const { context, page, pageErrors, ui } = await openActivity(browser, mailroom);
  try {
    const row = ui.row('Remittance advice 77');
    // After its first attempt it is queued again, with the refusal as its last reply.
    await expect(row.getByText(/^Next try /)).toBeVisible({ timeout: 15_000 });
    await expect(row.getByText('Queued', { exact: true })).toBeVisible();
    expect(await cells(ui, row)).toMatchObject({ Recipients: 'ap@northwind.example', Profile: 'Branch relay', Attempts: '1' });
    expect((await cells(ui, row))['Last reply']).toMatch(/ECONNREFUSED|refused/i);
    await expect(row.getByRole('button', { name: 'Retry' })).toHaveCount(0);

    // Keeping it changes nothing.
    await row.getByRole('button', { name: 'Cancel' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Cancel “Remittance advice 77”?' });
    await expect(confirm).toBeVisible();
    await expect(confirm).toContainText('ap@northwind.example');
    await confirm.getByRole('button', { name: 'Keep it queued' }).click();
    await expect(confirm).toBeHidden();
    await expect(row.getByText('Queued', { exact: true })).toBeVisible();

    await row.getByRole('button', { name: 'Cancel' }).click();
    await confirm.getByRole('button', { name: 'Cancel message' }).click();
    await expect(confirm).toBeHidden();
    await expect(row.getByText('Cancelled', { exact: true })).toBeVisible();
    // Its Cancel button is gone; the keyboard stays on the message.
    await expect(row.getByRole('button', { name: 'Remittance advice 77' })).toBeFocused();
    await expect(ui.count('Cancelled')).toHaveText('1');
    await expect(ui.count('Queued')).toHaveText('0');
    await expect(page.getByRole('status').filter({ hasText: '“Remittance advice 77” is cancelled.' })).toBeAttached();
    // A cancelled message can be sent after all.
    await expect(row.getByRole('button', { name: 'Retry' })).toBeVisible();
    await expect(row.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a message whose attachments are over the limit is marked Too large', async ({ browser, mailroom }) => {
  await seed(mailroom, [profile('p-harbour', RELAY, await closedPort(), { maxAttachmentsMb: 1 })]);
  fs.writeFileSync(path.join(mailroom.dataDir, 'ledger.pdf'), Buffer.alloc(1536 * 1024, 0x25));
  await queueBatch(mailroom, RELAY, [{ to: 'ap@northwind.example', subject: 'Ledger export', attachment: 'ledger.pdf' }]);

  const { context, pageErrors, ui } = await openActivity(browser, mailroom);
  try {
    const row = ui.row('Ledger export');
    await expect(row.getByText('Failed', { exact: true })).toBeVisible({ timeout: 15_000 });
    await expect(row.getByText('Too large', { exact: true })).toBeVisible();
    // Refused before any connection: nothing was tried.
    expect(await cells(ui, row)).toMatchObject({ Attempts: '0' });
    await row.getByRole('button', { name: 'Ledger export' }).click();
    const details = detailsOf(row);
    await expect(details.getByRole('heading', { name: 'The attachments are too large', level: 3 })).toBeVisible();
    await expect(details.getByText('The attachments total 1.50 MB; this profile allows 1.00 MB.')).toBeVisible();
    await expect(details.getByRole('region', { name: 'Details' })).toContainText('1.50 MB');
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('the outbox is read when it changes, not every second, and only while the Activity tab is on screen', async ({ browser, mailroom }) => {
  const { context, page, ui } = await openActivity(browser, mailroom);
  try {
    const reads: number[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/invoke') && (request.postData() ?? '').includes('"outbox:list"')) reads.push(Date.now());
    });
    await expect(ui.panel.getByText('No messages yet')).toBeVisible();
    // Nothing changes: nothing is read again (the server says when the outbox changes).
    await page.waitForTimeout(300);
    const idle = reads.length;
    await page.waitForTimeout(2_500);
    expect(reads.length, 'reads while the outbox did not change').toBe(idle);

    // Another tab: no more reads.
    await page.getByRole('tab', { name: 'General' }).click();
    await page.waitForTimeout(300);
    const afterLeaving = reads.length;
    await page.waitForTimeout(2_500);
    expect(reads.length, 'reads while another tab is shown').toBe(afterLeaving);

    // Back again: reading resumes at once.
    await page.getByRole('tab', { name: 'Activity' }).click();
    await expect.poll(() => reads.length, { timeout: 3_000 }).toBeGreaterThan(afterLeaving);

    // The window hidden (minimised, another browser tab): no reads either.
    const setVisibility = (state: 'hidden' | 'visible') =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    await page.waitForTimeout(300);
    const whileHidden = reads.length;
    await page.waitForTimeout(2_500);
    expect(reads.length, 'reads while the page is hidden').toBe(whileHidden);
    await setVisibility('visible');
    await expect.poll(() => reads.length, { timeout: 3_000 }).toBeGreaterThan(whileHidden);
  } finally {
    await context.close();
  }
});

test('an empty outbox, the debug folder button without a folder, and the settings footer', async ({ browser, mailroom }) => {
  const { context, page, pageErrors, ui } = await openActivity(browser, mailroom);
  try {
    await expect(ui.panel.getByText('No messages yet')).toBeVisible();
    await expect(ui.table).toHaveCount(0);
    await expect(ui.count('Sent')).toHaveText('0');
    // Nothing to save here: the settings footer stays out of the way.
    await expect(ui.save).toBeHidden();
    await expect(ui.revert).toBeHidden();

    // No folder is set: the reason shows next to the button, with the way to the setting.
    await ui.openDebugFolder.click();
    const reason = ui.panel.getByRole('alert');
    await expect(reason).toHaveText(/^Set the debug folder first\.\s*Go to the setting$/);
    await reason.getByRole('button', { name: 'Go to the setting' }).click();
    await expect(page.getByRole('tab', { name: 'General' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('textbox', { name: 'Debug folder' })).toBeFocused();

    // A change made on another tab keeps Save and Revert in reach on Activity.
    await page.getByRole('textbox', { name: 'Organisation name' }).fill('Harbour Accounts Ltd');
    await page.getByRole('tab', { name: 'Activity' }).click();
    await expect(ui.save).toBeEnabled();
    await expect(page.getByText('Unsaved changes')).toBeVisible();
    await ui.revert.click();
    await expect(ui.save).toBeHidden();
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a debug folder that cannot be written is reported', async ({ browser, mailroom }) => {
  // A folder inside a plain file can never be created.
  const blocker = path.join(mailroom.dataDir, 'not-a-folder');
  fs.writeFileSync(blocker, 'a file, not a folder\n');
  const folder = path.join(blocker, 'logs');
  await seed(mailroom, [], { debug: { enabled: true, path: folder, level: 'info', retentionDays: 14 } });
  const status = (await invoke(mailroom, 'debug:check', undefined)) as { writable: boolean };
  expect(status.writable).toBe(false);

  const { context, pageErrors, ui } = await openActivity(browser, mailroom);
  try {
    const warning = ui.panel.getByText('The debug folder cannot be written:');
    await expect(warning).toBeVisible();
    await expect(ui.panel.getByText(folder, { exact: false })).toBeVisible();
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

withRelay('a batch shows its progress and rate against the profile limit', async ({ browser, mailroom, relay }) => {
  // Two a minute: two go at once, the other four wait their turn for a minute.
  await seed(mailroom, [profile('p-harbour', RELAY, relay.port, { perMinute: 2 })]);
  await queueBatch(
    mailroom,
    RELAY,
    Array.from({ length: 6 }, (_, i) => ({ to: `customer${i + 1}@northwind.example`, subject: `Statement ${i + 1}` })),
  );
  const { context, pageErrors, ui } = await openActivity(browser, mailroom);
  try {
    const batches = ui.panel.getByRole('list', { name: 'Batches being sent' });
    const batch = batches.getByRole('listitem');
    await expect(batch).toContainText('2 of 6 sent', { timeout: 15_000 });
    await expect(batch).toContainText('2 per minute (limit 2 per minute)');
    await expect(batch.getByRole('progressbar', { name: `Batch of 6 with ${RELAY}` })).toHaveAttribute('aria-valuenow', /^0\.33/);
    await expect(ui.count('Queued')).toHaveText('4');
    await expect(ui.count('Sent')).toHaveText('2');
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

withRelay('the Activity tab has no axe violations, empty and with messages', async ({ browser, mailroom, relay }) => {
  const { context, page, ui } = await openActivity(browser, mailroom);
  try {
    await expect(ui.panel.getByText('No messages yet')).toBeVisible();
    // Hover effects (the tab just clicked) draw pseudo-elements axe cannot see through.
    await page.mouse.move(1, 1);
    await expectAccessibleInBothThemes(page, 'the empty Activity tab');

    await seed(mailroom, [profile('p-harbour', RELAY, relay.port, { perMinute: 3 }), profile('p-down', 'Branch relay', await closedPort())]);
    await queueBatch(mailroom, RELAY, [
      { to: 'ap@northwind.example', subject: 'Invoice 1042' },
      { to: UNKNOWN, subject: 'Invoice 1043' },
      ...Array.from({ length: 4 }, (_, i) => ({ to: `customer${i + 1}@northwind.example`, subject: `Statement ${i + 1}` })),
    ]);
    await queueBatch(mailroom, 'Branch relay', [{ to: 'ap@northwind.example', subject: 'Remittance advice 77' }]);
    const failed = ui.row('Invoice 1043');
    await expect(failed.getByText('Failed', { exact: true })).toBeVisible({ timeout: 15_000 });
    await expect(ui.row('Remittance advice 77').getByText(/^Next try /)).toBeVisible({ timeout: 15_000 });
    await expect(ui.panel.getByRole('progressbar')).toHaveCount(1);
    await failed.getByRole('button', { name: 'Invoice 1043' }).click();
    await expect(detailsOf(failed).locator('[data-advice-code]')).toBeVisible();
    await ui.openDebugFolder.click();
    await expect(ui.panel.getByRole('alert')).toBeVisible();
    await showWholePage(page);
    await expectAccessibleInBothThemes(page, 'the Activity tab with messages');
  } finally {
    await context.close();
  }
});

// Screenshots for a person to look at: `npm run shots` runs this, the test run leaves it out.
test.describe('screenshots @shots', () => {
  test.setTimeout(120_000);
  test('the Activity tab, light and dark, with a batch in progress and a failed message opened', async ({ browser, mailroom }) => {
    const dir = shotsDir();
    // Each message takes the server a moment, one at a time, and the profile sends at most 60 a minute.
    const relay = await startRelay({ delayMs: 700 });
    try {
      await seed(mailroom, [profile('p-harbour', RELAY, relay.port, { perMinute: 60, maxConnections: 1 }), profile('p-down', 'Branch relay', await closedPort())]);
      await queueBatch(mailroom, RELAY, [{ to: UNKNOWN, subject: 'Invoice 1043' }]);
      await queueBatch(mailroom, 'Branch relay', [{ to: 'ap@northwind.example', subject: 'Remittance advice 77' }]);
      await invoke(mailroom, 'smtp:send-test', { profile: profile('p-harbour', RELAY, relay.port), password: null, to: 'admin@harbour.example' });
      for (const colorScheme of ['light', 'dark'] as const) {
        await queueBatch(
          mailroom,
          RELAY,
          Array.from({ length: 20 }, (_, i) => ({ to: `customer${i + 1}@northwind.example`, subject: `Statement ${colorScheme} ${i + 1}` })),
        );
        const { context, page, ui } = await openActivity(browser, mailroom, { colorScheme });
        try {
          const batch = ui.panel.getByRole('list', { name: 'Batches being sent' }).getByRole('listitem');
          await expect(batch.getByText(/^[3-9] of 20 sent/)).toBeVisible({ timeout: 30_000 });
          await page.mouse.move(1, 1);
          await page.screenshot({ path: path.join(dir, `activity-batch-${colorScheme}.png`) });
          const failed = ui.row('Invoice 1043');
          await failed.getByRole('button', { name: 'Invoice 1043' }).click();
          await detailsOf(failed).scrollIntoViewIfNeeded();
          await page.mouse.move(1, 1);
          await page.screenshot({ path: path.join(dir, `activity-failed-${colorScheme}.png`) });
          await ui.heading.scrollIntoViewIfNeeded();
          await ui.openDebugFolder.click();
          await expect(ui.panel.getByRole('alert')).toBeVisible();
          await page.mouse.move(1, 1);
          await page.screenshot({ path: path.join(dir, `activity-debug-folder-${colorScheme}.png`) });
          await expect(batch).toHaveCount(0, { timeout: 60_000 });
        } finally {
          await context.close();
        }
      }
    } finally {
      await relay.close();
    }
  });
});
