// The dialog as office staff meet it on small screens, 1024×768 and 800×600, in the light and the
// dark theme: the Activity table gives way instead of squeezing its columns, the SMTP editor's
// fields and its Test connection stay in view, one primary button per view, the read-only state
// and the required marker read right without colour, focus comes back after every dialog, a test
// needs only the server, the first profile becomes the default, notes stand clear of Save, the
// debug folder is checked as it is typed, and an address without its token says how to open
// Mailroom. Found by role and label throughout; each page load serves several checks.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import { SMTPServer } from 'smtp-server';
import { defaultSettings, newProfile, newUser, type Settings, type SmtpProfile } from '../../preload/contract';
import { REPO_ROOT, test, expect, type MailroomServer } from './fixtures';
import { expectNoViolations, expectTheme } from './axe';
import type { ColorScheme } from './open-dialog';
import { shotPath } from './shots/shots';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'bin', 'mailroom.cjs');
const ME = os.userInfo().username;

const SIZES = [
  { width: 1024, height: 768 },
  { width: 800, height: 600 },
] as const;
type Size = (typeof SIZES)[number];
const THEMES: readonly ColorScheme[] = ['light', 'dark'];

const GENERAL = { organisationName: 'Harbour Accounts Ltd', alertFrom: 'alerts@harbour.example', systemNotification: 'it-notices@harbour.example' };
const RELAY = 'Harbour relay';
/** Sixty characters, as an invoice's subject often is. */
const LONG_SUBJECT = 'Invoice 1043 for the quarterly maintenance contract, March 26';

// ---- servers and settings ------------------------------------------------------------------------

/** A relay on loopback that takes mail without TLS or signing in. */
async function startRelay(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({ logger: false, disabledCommands: ['STARTTLS'], authOptional: true, onData: (stream, _s, cb) => stream.on('end', () => cb()).resume() });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as net.AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A loopback port nothing listens on: messages to it wait in the outbox as queued. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function invoke(mailroom: MailroomServer, channel: string, input?: unknown): Promise<unknown> {
  const response = await fetch(`${mailroom.origin}/api/invoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${mailroom.token}` },
    body: JSON.stringify({ channel, input }),
  });
  const body = (await response.json()) as { ok: boolean; value?: unknown; error?: unknown };
  expect(body.error, `${channel} succeeds`).toBeUndefined();
  return body.value;
}

function relayProfile(id: string, name: string, port: number): SmtpProfile {
  return { ...newProfile(id, name), host: '127.0.0.1', port, security: 'none', auth: 'none', fromName: 'Harbour Accounts', fromAddress: 'accounts@harbour.example', timeoutSeconds: 5 };
}

function settingsWith(profiles: SmtpProfile[], changes: Partial<Settings> = {}): Settings {
  const base = defaultSettings();
  return { ...base, general: { ...base.general, ...GENERAL, defaultProfile: profiles[0]?.id ?? '' }, smtp: { profiles }, ...changes };
}

/** Queues messages with `mailroom send --batch --no-wait`, as a script would; the running server tries them. */
async function queue(mailroom: MailroomServer, profileName: string, subjects: readonly string[]): Promise<void> {
  const file = path.join(mailroom.dataDir, `batch-${Date.now()}.csv`);
  fs.writeFileSync(file, ['to,subject,text', ...subjects.map((s, i) => `customer${i}@northwind.example,"${s}",Please find it attached.`)].join('\n') + '\n');
  await run(process.execPath, [CLI, 'send', '--profile', profileName, '--batch', file, '--no-wait'], { cwd: REPO_ROOT, env: { ...process.env, MAILROOM_DATA_DIR: mailroom.dataDir } });
}

// ---- the page ------------------------------------------------------------------------------------

async function open(browser: Browser, mailroom: MailroomServer, size: Size, colorScheme: ColorScheme = 'light', ready: 'admin' | 'view-only' = 'admin') {
  const context = await browser.newContext({ colorScheme, viewport: { ...size } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(mailroom.url);
  if (ready === 'admin') await expect(page.getByRole('textbox', { name: 'Organisation name' })).toBeEditable();
  else await expect(page.getByRole('group', { name: 'View only' })).toBeVisible();
  await expectTheme(page, colorScheme);
  return { context, page, pageErrors };
}

const tab = (page: Page, name: string) => page.getByRole('tab', { name, exact: true });
const panel = (page: Page, name: string) => page.getByRole('tabpanel', { name });
const save = (page: Page) => page.getByRole('button', { name: 'Save', exact: true });
const footerButtons = (page: Page) => page.locator('footer').getByRole('button', { name: /^(Save|Revert)$/ });

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`no box for ${locator.toString()}`);
  return found;
}

/** Whether the whole element can be seen: inside the window, below the editor's sticky toolbar, above the footer. */
async function fullyInView(page: Page, locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const footer = document.querySelector('footer');
    const bottom = footer && getComputedStyle(footer).display !== 'none' ? footer.getBoundingClientRect().top : window.innerHeight;
    // A pixel's grace for borders that meet.
    if (r.top < -1 || r.left < -1 || r.bottom > bottom + 1 || r.right > window.innerWidth + 1) return false;
    // Nothing drawn over its middle (a sticky toolbar, say).
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && (el === hit || el.contains(hit) || hit.contains(el));
  });
}

/** The visible buttons drawn as primary (the theme's brand background), by name. */
async function primaryButtons(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const probe = document.createElement('span');
    probe.style.backgroundColor = 'var(--colorBrandBackground)';
    (document.querySelector('.fui-FluentProvider') ?? document.body).appendChild(probe);
    const brand = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return [...document.querySelectorAll('button')]
      .filter((b) => {
        const r = b.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(b).visibility !== 'hidden' && getComputedStyle(b).backgroundColor === brand;
      })
      .map((b) => b.textContent?.trim() ?? '');
  });
}

/** axe over the page at this width, made as tall as the page so nothing is scrolled out of its sight. */
async function axeAtWidth(page: Page, size: Size, what: string, colourOnly: boolean) {
  await page.mouse.move(1, 1);
  const needed = await page.evaluate(() => {
    const scroller = document.querySelector('main > div:last-child');
    return document.documentElement.clientHeight + (scroller ? scroller.scrollHeight - scroller.clientHeight : 0);
  });
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, Math.ceil(needed) + 16) });
  await expectNoViolations(page, what, { colourOnly });
  await page.setViewportSize({ ...size });
}

async function shot(page: Page, name: string) {
  await page.mouse.move(1, 1);
  await page.screenshot({ path: shotPath(name) });
}

// ---- the tests -----------------------------------------------------------------------------------

for (const colorScheme of THEMES) {
  test(`Activity, SMTP and one primary button per view at 1024×768 and 800×600, ${colorScheme}`, async ({ browser, mailroom }) => {
    const down = await closedPort();
    const relay = relayProfile('p-harbour', RELAY, down);
    await invoke(mailroom, 'settings:save', settingsWith([relay]));
    await queue(mailroom, RELAY, [LONG_SUBJECT, 'Statement March', 'Remittance advice 77']);
    // A test email, for its tag beside the subject.
    await invoke(mailroom, 'smtp:send-test', { profile: relay, password: null, to: 'admin@harbour.example' });

    const { context, page, pageErrors } = await open(browser, mailroom, SIZES[0], colorScheme);
    try {
      // An unsaved change, so Save is enabled and drawn as what it is: the primary action.
      await page.getByRole('textbox', { name: 'Organisation name' }).fill('Harbour Accounts');
      for (const size of SIZES) {
        await page.setViewportSize({ ...size });
        const at = `${size.width}×${size.height}`;

        // One primary button per view, and where Save shows, it is the one.
        for (const name of ['General', 'SMTP', 'Email', 'Users', 'Activity']) {
          await tab(page, name).click();
          await expect(panel(page, name)).toBeVisible();
          // Each tab's script is fetched when first shown: count once it is drawn.
          await expect(panel(page, name).getByText('Loading…')).toHaveCount(0);
          const primaries = await primaryButtons(page);
          expect(primaries.length, `${name} at ${at}: at most one primary button (${primaries.join(', ')})`).toBeLessThanOrEqual(1);
          // Save takes the brand colour through a short transition once it is enabled: wait it out.
          if (await save(page).isVisible()) await expect.poll(() => primaryButtons(page), { message: `${name} at ${at}: Save is the primary action` }).toEqual(['Save']);
        }

        // Activity: columns that give way rather than squeeze.
        await tab(page, 'Activity').click();
        const activity = panel(page, 'Activity');
        const table = activity.getByRole('table', { name: 'Messages' });
        const longRow = table.getByRole('row').filter({ has: page.getByRole('button', { name: LONG_SUBJECT }) });
        await expect(longRow).toHaveCount(1, { timeout: 15_000 });
        const headers = table.getByRole('row').first().getByRole('columnheader');
        const widths = await headers.evaluateAll((cells) => cells.map((c) => ({ name: c.textContent?.trim() ?? '', width: c.getBoundingClientRect().width })));
        for (const { name, width } of widths) expect(width, `the ${name || 'Actions'} column at ${at}`).toBeGreaterThanOrEqual(80);
        const names = widths.map((w) => w.name);
        expect(names, `State, Subject and the actions stay at ${at}`).toEqual(expect.arrayContaining(['State', 'Subject', 'Actions']));
        if (size.width === 1024) expect(names).toEqual(expect.arrayContaining(['Recipients', 'Profile', 'Attempts', 'Updated']));
        else {
          // What the profile column would say is under the subject instead, and in the details.
          expect(names).not.toContain('Profile');
          await expect(longRow).toContainText(RELAY);
        }
        // The subject keeps to one line, cut short, its whole text its tooltip.
        const subject = longRow.getByRole('button', { name: LONG_SUBJECT });
        await expect(subject).toHaveAttribute('title', LONG_SUBJECT);
        const subjectCell = longRow.getByRole('cell').filter({ has: page.getByRole('button', { name: LONG_SUBJECT }) });
        const [subjectBox, cellBox] = [await box(subject), await box(subjectCell)];
        expect(subjectBox.height, `the subject is one line at ${at}`).toBeLessThan(32);
        expect(subjectBox.x + subjectBox.width, `the subject stays in its column at ${at}`).toBeLessThanOrEqual(cellBox.x + cellBox.width + 1);
        // The test email's tag stays inside the subject's column.
        const testRow = table.getByRole('row').filter({ hasText: 'Mailroom test email' });
        const tag = testRow.getByText('Test', { exact: true });
        const tagCell = testRow.getByRole('cell').filter({ has: page.getByText('Test', { exact: true }) });
        expect((await box(tag)).x + (await box(tag)).width).toBeLessThanOrEqual((await box(tagCell)).x + (await box(tagCell)).width + 1);
        // The actions are on screen: scrolled to, not off its right edge.
        const cancel = longRow.getByRole('button', { name: 'Cancel' });
        await cancel.scrollIntoViewIfNeeded();
        expect(await fullyInView(page, cancel), `Cancel in view at ${at}`).toBe(true);
        // The summary cards in one even row.
        const cards = activity.getByRole('group', { name: 'Messages by state' }).locator('[data-state]');
        const cardBoxes = await cards.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ y: Math.round(r.y), w: Math.round(r.width) })));
        expect(cardBoxes).toHaveLength(6);
        expect(new Set(cardBoxes.map((c) => c.y)).size, `one row of cards at ${at}`).toBe(1);
        expect(Math.max(...cardBoxes.map((c) => c.w)) - Math.min(...cardBoxes.map((c) => c.w))).toBeLessThanOrEqual(1);
        // Opened, a row's details hold the subject whole and the profile.
        await subject.click();
        const details = longRow.locator('xpath=following-sibling::tr[1]');
        await expect(details.getByRole('definition').filter({ hasText: LONG_SUBJECT })).toBeVisible();
        await expect(details.getByRole('term').filter({ hasText: 'Profile' })).toBeVisible();
        await subject.click();

        // Cancel asks first; keeping it queued gives the focus back to Cancel.
        await cancel.click();
        await page.getByRole('alertdialog').getByRole('button', { name: 'Keep it queued' }).click();
        await expect(cancel).toBeFocused();

        // SMTP: the editor's first field is in view at once, and Test connection stays in reach.
        await tab(page, 'SMTP').click();
        const smtp = panel(page, 'SMTP');
        const name = smtp.getByRole('textbox', { name: 'Name', exact: true });
        await expect(name).toHaveValue(RELAY);
        expect(await fullyInView(page, name), `the first field in view at ${at}`).toBe(true);
        for (const heading of ['Server', 'Security', 'Sign-in', 'Sender', 'Sending limits']) {
          await expect(smtp.getByRole('heading', { name: heading, exact: true })).toBeVisible();
        }
        await expect(smtp.getByRole('button', { name: /send test/i })).toHaveCount(1);
        await smtp.getByRole('spinbutton', { name: 'Batch emails per minute' }).scrollIntoViewIfNeeded();
        expect(await fullyInView(page, smtp.getByRole('button', { name: 'Test connection' })), `Test connection in reach at ${at}`).toBe(true);

        if (size.width === 800) {
          await axeAtWidth(page, size, `the SMTP tab at 800 pixels, ${colorScheme}`, colorScheme === 'dark');
          await tab(page, 'Activity').click();
          await axeAtWidth(page, size, `the Activity tab at 800 pixels, ${colorScheme}`, colorScheme === 'dark');
        }
      }
      expect(pageErrors, 'uncaught errors in the page').toEqual([]);
    } finally {
      await context.close();
    }
  });
}

/** Records what the page hands its live regions to be read out, from the first script on. */
async function recordAnnouncements(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const heard: string[] = [];
    (window as unknown as { heard: string[] }).heard = heard;
    new MutationObserver((records) => {
      for (const record of records) {
        const target = record.target instanceof Element ? record.target : record.target.parentElement;
        const live = target?.closest('[aria-live], [role="status"], [role="alert"]');
        const text = live?.textContent?.trim();
        if (text && heard[heard.length - 1] !== text) heard.push(text);
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
}

test('what someone who is not an administrator sees, at 1024×768 and 800×600, light and dark', async ({ browser, mailroom }) => {
  const relay = relayProfile('p-harbour', RELAY, 25);
  // Someone else is the administrator: the one running the tests sees the settings read-only.
  fs.writeFileSync(mailroom.settingsFile, JSON.stringify(settingsWith([relay], { users: [{ ...newUser('u-boss', 'CONTOSO\\boss'), name: 'Bea Boss', admin: true }] }), null, 2));
  const context = await browser.newContext({ colorScheme: 'light', viewport: { ...SIZES[0] } });
  await recordAnnouncements(context);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  try {
    await page.goto(mailroom.url);
    // The view-only banner: one line that says why and who, read out when it appears.
    const banner = page.getByRole('group', { name: 'View only' });
    const bannerText = `Only an administrator can change these settings. Signed in as ${ME}, not a system user.`;
    await expect(banner).toContainText(bannerText);
    await expect.poll(() => page.evaluate(() => (window as unknown as { heard: string[] }).heard.join(' | ')), { message: 'the banner is read out' }).toContain(bannerText);
    await expect(banner.getByRole('button')).toHaveCount(0);
    const general = panel(page, 'General');
    const organisation = general.getByRole('textbox', { name: 'Organisation name' });
    for (const colorScheme of THEMES) {
      await page.emulateMedia({ colorScheme });
      await expectTheme(page, colorScheme);
      await tab(page, 'General').click();
      // Said in words and with a lock, to screen readers too; not by colour alone.
      await expect(organisation).not.toBeEditable();
      await expect(organisation).toHaveAccessibleDescription(/Set by your administrator/);
      const field = general.locator('.fui-Field').filter({ has: page.getByRole('textbox', { name: 'Organisation name' }) });
      await expect(field.locator('[data-read-only-lock]')).toBeVisible();
      await expect(field.getByText('Set by your administrator')).toBeVisible();
      // No editable border: a read-only field is not drawn like one that takes typing.
      const border = await organisation.evaluate((el) => getComputedStyle(el.closest('.fui-Input') ?? el).borderBottomColor);
      expect(border, 'no editable border').toBe('rgba(0, 0, 0, 0)');
      await expect(general.getByRole('switch', { name: 'Debug logging' })).toHaveAccessibleDescription(/Set by your administrator/);
      // Legible in this theme: axe's colour rules over the whole tab.
      await axeAtWidth(page, SIZES[0], `the read-only General tab, ${colorScheme}`, colorScheme === 'dark');

      for (const size of SIZES) {
        await page.setViewportSize({ ...size });
        // One compact line at either size: the fields keep the room.
        const bannerBox = await box(banner);
        expect(bannerBox.height, `the banner is one line at ${size.width}×${size.height}, ${colorScheme}`).toBeLessThanOrEqual(40);
        expect(bannerBox.x + bannerBox.width).toBeLessThanOrEqual(size.width);
        if (size.width === 800) {
          await tab(page, 'General').click();
          await axeAtWidth(page, size, `the view-only banner at 800 pixels, ${colorScheme}`, colorScheme === 'dark');
        }
        await tab(page, 'SMTP').click();
        const name = panel(page, 'SMTP').getByRole('textbox', { name: 'Name', exact: true });
        await expect(name).toHaveValue(RELAY);
        expect(await fullyInView(page, name), `the read-only SMTP editor's first field in view at ${size.width}×${size.height}`).toBe(true);
        await expect(name).toHaveAccessibleDescription(/Set by your administrator/);
        // Nothing here is this user's to save: no Save and Revert taking the room.
        await expect(save(page)).toBeHidden();
      }
      await page.setViewportSize({ ...SIZES[0] });
    }

    // One of the system users: the banner leads to their own settings, and still keeps to one line.
    const settings = mailroom.readSettingsFile() as Settings;
    fs.writeFileSync(mailroom.settingsFile, JSON.stringify({ ...settings, users: [...settings.users, { ...newUser('u-me', ME), name: 'Morgan Manager' }] }, null, 2));
    await page.setViewportSize({ ...SIZES[1] });
    await page.reload();
    await expect(banner).toContainText(`Only an administrator can change these settings. Signed in as ${ME}.`);
    expect((await box(banner)).height, 'one line with its button at 800×600').toBeLessThanOrEqual(40);
    await banner.getByRole('button', { name: 'Your settings' }).click();
    await expect(tab(page, 'Users')).toHaveAttribute('aria-selected', 'true');
    await expect(panel(page, 'Users').getByRole('option', { name: /Morgan Manager/ })).toHaveAttribute('aria-selected', 'true');
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await context.close();
  }
});

test('at 800×600: focus comes back after each dialog, a test needs only the server, the first profile becomes the default', async ({ browser, mailroom }) => {
  const relay = await startRelay();
  const { context, page, pageErrors } = await open(browser, mailroom, SIZES[1]);
  try {
    const general = panel(page, 'General');
    await general.getByRole('textbox', { name: 'Organisation name' }).fill(GENERAL.organisationName);
    await general.getByRole('textbox', { name: 'Alert From mailbox' }).fill(GENERAL.alertFrom);

    await tab(page, 'SMTP').click();
    const smtp = panel(page, 'SMTP');
    const add = smtp.getByRole('button', { name: 'Add', exact: true });
    const del = smtp.getByRole('button', { name: 'Delete', exact: true });
    const filter = smtp.getByRole('searchbox', { name: 'Filter profiles' });
    const host = smtp.getByRole('textbox', { name: 'Server host' });
    const port = smtp.getByRole('spinbutton', { name: 'Port' });
    const testConnection = smtp.getByRole('button', { name: 'Test connection' });
    const report = smtp.getByRole('region', { name: 'Connection test' });

    // Add: cancelled, the focus is back on Add; added, it is on the new profile's first server field.
    await add.click();
    await page.getByRole('dialog', { name: 'Add server profile' }).getByRole('button', { name: 'Cancel' }).click();
    await expect(add).toBeFocused();
    await add.click();
    const addDialog = page.getByRole('dialog', { name: 'Add server profile' });
    await addDialog.getByRole('textbox', { name: 'Profile name' }).fill(RELAY);
    await addDialog.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(host).toBeFocused();

    // The required marker: a quiet hint on a filled field, red only on an error.
    const name = smtp.getByRole('textbox', { name: 'Name', exact: true });
    const marks = await page.evaluate(() => {
      const colour = (v: string) => {
        const probe = document.createElement('span');
        probe.style.color = `var(${v})`;
        (document.querySelector('.fui-FluentProvider') ?? document.body).appendChild(probe);
        const c = getComputedStyle(probe).color;
        probe.remove();
        return c;
      };
      return { red: colour('--colorPaletteRedBorder2'), redText: colour('--colorPaletteRedForeground3') };
    });
    const barOf = (control: Locator) => control.evaluate((el) => getComputedStyle(el.closest('.fui-Input') ?? el).borderLeftColor);
    const asteriskOf = (control: Locator) =>
      control.evaluate((el) => {
        const star = el.closest('.fui-Field')?.querySelector('.fui-Label__required');
        return star ? getComputedStyle(star).color : '';
      });
    await expect(name).toHaveValue(RELAY);
    expect(await barOf(name), 'a filled required field has no red bar').not.toBe(marks.red);
    expect(await asteriskOf(name), 'nor a red asterisk').not.toBe(marks.redText);

    // Test connection of a new profile with no server: refused at the field, which has the focus in view.
    await name.focus();
    await testConnection.click();
    await expect(host).toBeFocused();
    await expect(host).toHaveAttribute('aria-invalid', 'true');
    await expect(host).toHaveAccessibleDescription(/Required/);
    expect(await fullyInView(page, host), 'the refused field is in view').toBe(true);
    expect(await barOf(host), 'a field in error has the red bar').toBe(marks.red);

    // With only host and port, the test runs its steps: it reaches the server and says what stops it
    // (here: no encryption offered, so a password would not be sent), rather than refusing to start.
    await host.fill('127.0.0.1');
    await port.fill(String(relay.port));
    await testConnection.click();
    await expect(report.getByRole('status')).toContainText(/Passed|Failed/, { timeout: 20_000 });
    await expect(report.getByRole('status')).not.toContainText('could not start');
    await expect(report.locator('tr[data-step="tcp"]')).toContainText('Passed');
    await expect(report.locator('tr[data-step="greeting"]')).toContainText('Passed');
    for (const field of ['From address', 'Username']) {
      await expect(smtp.getByRole('textbox', { name: field, exact: true })).not.toHaveAttribute('aria-invalid', 'true');
    }

    // Send test email: closed, the focus is back on it.
    const sendTest = smtp.getByRole('button', { name: 'Send test email' });
    await sendTest.click();
    await page.getByRole('dialog', { name: 'Send test email' }).getByRole('button', { name: 'Close' }).click();
    await expect(sendTest).toBeFocused();

    // A name typed in the filter asks before creating: cancelled, the focus is back in the filter.
    await filter.fill('Backup relay');
    await filter.press('Enter');
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    await expect(filter).toBeFocused();
    await filter.fill('');

    // Delete, cancelled: the focus is back on Delete.
    await del.click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    await expect(del).toBeFocused();

    // Save the first profile: it becomes the default, and the dialog says so.
    await smtp.getByRole('combobox', { name: 'Authorisation' }).click();
    await page.getByRole('option', { name: 'None' }).click();
    await smtp.getByRole('textbox', { name: 'From address' }).fill('accounts@harbour.example');
    await save(page).click();
    await expect(page.getByText(`${RELAY} is now the default profile`)).toBeVisible();
    const saved = mailroom.readSettingsFile() as Settings;
    expect(saved.general.defaultProfile).toBe(saved.smtp.profiles[0]?.id);
    await expect(smtp.getByRole('option', { name: new RegExp(RELAY) })).toContainText('Default');

    // Created from the filter, then deleted: the focus goes to its neighbour in the list.
    await filter.fill('Backup relay');
    await filter.press('Enter');
    await page.getByRole('alertdialog').getByRole('button', { name: 'Create' }).click();
    await expect(host).toBeFocused();
    await del.click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await expect(smtp.getByRole('option', { name: new RegExp(RELAY) })).toBeFocused();

    // Users: the same for its Delete.
    await tab(page, 'Users').click();
    const users = panel(page, 'Users');
    await users.getByRole('button', { name: 'Add me' }).click();
    await users.getByRole('button', { name: 'Add', exact: true }).click();
    await users.getByRole('textbox', { name: /Sign-in name/ }).fill('CONTOSO\\clara');
    const userDelete = users.getByRole('button', { name: 'Delete', exact: true });
    await userDelete.click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    await expect(userDelete).toBeFocused();
    await userDelete.click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await expect(users.getByRole('option', { name: new RegExp(ME) })).toBeFocused();
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await context.close();
    await relay.close();
  }
});

/**
 * Holds a note on screen the way a person does, by pointing at it, until its timer says it is
 * paused. Pointing at it while it still fades in does not hold it (it starts its timer once in),
 * so the pointer leaves and comes back until it does.
 */
async function holdNote(page: Page, note: Locator): Promise<void> {
  const timer = page.locator('.fui-ToastContainer').filter({ has: note }).locator('[data-timer-status]');
  await expect(async () => {
    await page.mouse.move(1, 1);
    await note.getByText('Sent', { exact: true }).hover();
    await expect(timer).toHaveAttribute('data-timer-status', 'paused', { timeout: 500 });
    await page.waitForTimeout(400);
    await expect(timer).toHaveAttribute('data-timer-status', 'paused', { timeout: 100 });
  }).toPass({ timeout: 8000 });
}

/** axe over the page made as tall as its content, with the note still held on screen (it moves with the window's corner). */
async function axeWithNote(page: Page, note: Locator, size: Size, what: string, colourOnly: boolean) {
  const needed = await page.evaluate(() => {
    const scroller = document.querySelector('main > div:last-child');
    return document.documentElement.clientHeight + (scroller ? scroller.scrollHeight - scroller.clientHeight : 0);
  });
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, Math.ceil(needed) + 16) });
  await holdNote(page, note);
  await expectNoViolations(page, what, { colourOnly });
  await page.setViewportSize({ ...size });
}

for (const colorScheme of THEMES) {
  test(`the Sent note stands clear of Save and Revert, compact, legible, its Message-ID with a copy button, at 1024×768 and 800×600, ${colorScheme}`, async ({ browser, mailroom }) => {
    const relay = await startRelay();
    await invoke(mailroom, 'settings:save', settingsWith([relayProfile('p-harbour', RELAY, relay.port)]));
    const { context, page } = await open(browser, mailroom, SIZES[0], colorScheme);
    try {
      // A change, so Save and Revert show and are live.
      await page.getByRole('textbox', { name: 'Organisation name' }).fill('Harbour Accounts');
      await page.getByRole('button', { name: 'New email' }).click();
      const compose = page.getByRole('dialog', { name: 'New email' });
      await expect(compose.getByRole('combobox', { name: 'From' })).toHaveText(RELAY);
      await compose.getByRole('textbox', { name: 'To', exact: true }).fill('ap@northwind.example');
      await compose.getByRole('textbox', { name: 'Subject', exact: true }).fill(LONG_SUBJECT);
      await compose.getByRole('textbox', { name: 'Message', exact: true }).fill('Please find the invoice attached.');
      await compose.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(compose).toBeHidden({ timeout: 15_000 });
      const toast = page.locator('.fui-Toast').filter({ hasText: 'Sent' });
      await expect(toast).toBeVisible();
      // Kept on screen while it is looked at.
      await holdNote(page, toast);
      for (const size of SIZES) {
        await page.setViewportSize({ ...size });
        await holdNote(page, toast);
        const note = await box(toast);
        for (const button of await footerButtons(page).all()) {
          const b = await box(button);
          const overlap = note.x < b.x + b.width && b.x < note.x + note.width && note.y < b.y + b.height && b.y < note.y + note.height;
          expect(overlap, `the note over ${await button.textContent()} at ${size.width}×${size.height}, ${colorScheme}`).toBe(false);
        }
        expect(note.height, 'a compact note').toBeLessThanOrEqual(130);
        // The Message-ID stays inside the note, cut short, and can be copied whole.
        const id = toast.getByText(/^Message-ID </);
        const idBox = await box(id);
        expect(idBox.x + idBox.width).toBeLessThanOrEqual(note.x + note.width);
        // It runs under the title's "Show in Activity" too, not in half the note.
        expect(idBox.width, 'the Message-ID line uses the note\'s width').toBeGreaterThan(note.width * 0.6);
        await expect(id).toHaveAttribute('title', /^Message-ID <.+@.+>$/);
        await expect(toast.getByRole('button', { name: 'Copy Message-ID' })).toBeVisible();
        // Legible, and in a landmark, while it shows: the whole page with the note on it.
        await axeWithNote(page, toast, size, `the page with the Sent note at ${size.width}×${size.height}, ${colorScheme}`, colorScheme === 'dark' && size.width === 1024);
      }

      // "Settings saved" in the footer, legible in this theme too (judged before it goes: the note
      // is held, or axe would wait for its timer, as for any animation under way).
      await save(page).click();
      await expect(page.locator('footer').getByText('Settings saved', { exact: true })).toBeVisible();
      await holdNote(page, toast);
      await expectNoViolations(page, `the footer saying Settings saved, ${colorScheme}`, { include: 'footer', colourOnly: colorScheme === 'dark' });
    } finally {
      await context.close();
      await relay.close();
    }
  });
}

test('the debug folder is checked as it is typed, asks before creating a folder, says "Checking…" while a slow one answers, and a save says once what it means for the log', async ({ browser, mailroom }) => {
  const { context, page } = await open(browser, mailroom, SIZES[0]);
  try {
    const general = panel(page, 'General');
    await general.getByRole('textbox', { name: 'Organisation name' }).fill(GENERAL.organisationName);
    await general.getByRole('textbox', { name: 'Alert From mailbox' }).fill(GENERAL.alertFrom);
    await general.getByRole('switch', { name: 'Debug logging' }).click();
    const folder = general.getByRole('textbox', { name: 'Debug folder' });
    const missing = path.join(mailroom.dataDir, 'logs', 'mail');
    const footerMessages = page.locator('footer .fui-MessageBar');
    const savedWithNote = page.locator('footer').getByRole('group', { name: 'Settings saved' });

    // A slow folder: the answer is held back, and the field says it is being checked meanwhile.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/invoke', async (route) => {
      if (route.request().postData()?.includes('"debug:check"')) await held;
      await route.continue();
    });
    await folder.fill(missing);
    await expect(general.getByText('Checking the folder…')).toBeVisible();
    release();

    // Missing: asked, not created.
    await expect(general.getByText('The folder does not exist. Create it?')).toBeVisible();
    expect(fs.existsSync(missing), 'nothing is created without asking').toBe(false);

    // Saved without creating it: one message says the settings were saved and what that means for
    // the log; no cheerful "Settings saved" beside a warning. Neither the save nor logging creates it.
    await save(page).click();
    await expect(savedWithNote).toContainText('The debug folder does not exist, so no debug log is written');
    await expect(footerMessages).toHaveCount(1);
    expect(fs.existsSync(missing), 'a save does not create the folder').toBe(false);
    // Activity says so too, and leads back to the field.
    await tab(page, 'Activity').click();
    const activity = panel(page, 'Activity');
    await expect(activity.getByText('The debug folder does not exist')).toBeVisible();
    await activity.getByRole('button', { name: 'Go to the setting' }).click();
    await expect(folder).toBeFocused();

    // Created when the user says so.
    await general.getByRole('button', { name: 'Create folder' }).click();
    await expect(general.getByText('Mailroom can write its log here.')).toBeVisible();
    expect(fs.statSync(missing).isDirectory()).toBe(true);
    await tab(page, 'Activity').click();
    await expect(activity.getByText('The debug folder does not exist')).toHaveCount(0);
    await tab(page, 'General').click();

    // A file where the folder should be: the reason, before anything is saved.
    const file = path.join(mailroom.dataDir, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    await folder.fill(file);
    const cannotWrite = general.getByText(/Mailroom cannot write here: This is a file, not a folder/);
    await expect(cannotWrite).toBeVisible();
    // Saved anyway: the save's one message says it was saved and where the reason is; the warning
    // beside the field stays as it was, once.
    await save(page).click();
    await expect(savedWithNote).toContainText('No debug log is written until its folder can be written');
    await expect(footerMessages).toHaveCount(1);
    await expect(cannotWrite).toHaveCount(1);
    await expect(general.getByText(/cannot be written/)).toHaveCount(0);
    expect((mailroom.readSettingsFile() as Settings).general.debug.path).toBe(file);

    // Saved with a folder that works: "Settings saved", and no warning beside it.
    await folder.fill(missing);
    await expect(general.getByText('Mailroom can write its log here.')).toBeVisible();
    await save(page).click();
    await expect(page.locator('footer').getByText('Settings saved', { exact: true })).toBeVisible();
    await expect(savedWithNote).toHaveCount(0);
    await expect(general.getByText(/cannot write here|cannot be written/)).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test('an address without its token shows one page saying how to open Mailroom, and asks nothing', async ({ browser, mailroom }) => {
  for (const address of [`${mailroom.origin}/`, `${mailroom.origin}/#token=from-an-earlier-start`]) {
    const context = await browser.newContext({ viewport: { ...SIZES[1] } });
    const page = await context.newPage();
    const asked: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/')) asked.push(request.url());
    });
    try {
      await page.goto(address);
      await expect(page.getByRole('heading', { name: 'Open Mailroom from its own window', level: 1 })).toBeVisible();
      await expect(page.getByText('mailroom serve', { exact: true })).toBeVisible();
      await expect(page.getByRole('button')).toHaveCount(0);
      await expect(page.locator('.fui-MessageBar')).toHaveCount(0);
      await expect(page.getByRole('tablist')).toHaveCount(0);
      if (!address.includes('#token=')) expect(asked, 'without a token nothing is asked').toEqual([]);
      await expectNoViolations(page, `the page for ${address.includes('#') ? 'a wrong token' : 'no token'}`);
    } finally {
      await context.close();
    }
  }
});

// Screenshots for a person to look at: `npm run shots` runs this, the test run leaves it out.
test.describe('screenshots @shots', () => {
  test.setTimeout(180_000);
  test('every tab at 1024×768 and 800×600, light and dark, as an administrator and as someone who is not', async ({ browser, mailroom }) => {
    const relay = await startRelay();
    try {
      const down = await closedPort();
      await invoke(mailroom, 'settings:save', settingsWith([relayProfile('p-harbour', RELAY, relay.port), relayProfile('p-branch', 'Branch relay', down)]));
      await queue(mailroom, RELAY, ['Invoice 1042', 'Statement March']);
      await queue(mailroom, 'Branch relay', [LONG_SUBJECT, 'Remittance advice 77']);
      for (const who of ['admin', 'view-only'] as const) {
        if (who === 'view-only') {
          const settings = mailroom.readSettingsFile() as Settings;
          fs.writeFileSync(mailroom.settingsFile, JSON.stringify({ ...settings, users: [{ ...newUser('u-boss', 'CONTOSO\\boss'), name: 'Bea Boss', admin: true }] }, null, 2));
        }
        for (const colorScheme of THEMES) {
          const { context, page } = await open(browser, mailroom, SIZES[0], colorScheme, who);
          try {
            for (const size of SIZES) {
              await page.setViewportSize({ ...size });
              for (const name of ['General', 'SMTP', 'Email', 'Users', 'Activity']) {
                await tab(page, name).click();
                await expect(panel(page, name).getByText(/^Loading/)).toHaveCount(0);
                if (name === 'Activity') await expect(panel(page, 'Activity').getByRole('button', { name: LONG_SUBJECT })).toBeVisible({ timeout: 15_000 });
                await shot(page, `${name.toLowerCase()}-${who === 'admin' ? '' : 'view-only-'}${size.width}-${colorScheme}.png`);
              }
              if (who === 'admin') {
                // The Test connection report, and a refused field, in the small window too.
                await tab(page, 'SMTP').click();
                await panel(page, 'SMTP').getByRole('button', { name: 'Test connection' }).click();
                await expect(panel(page, 'SMTP').getByRole('region', { name: 'Connection test' }).getByRole('status')).toContainText(/Passed|Failed/, { timeout: 20_000 });
                await shot(page, `smtp-tested-${size.width}-${colorScheme}.png`);
                await panel(page, 'SMTP').getByRole('button', { name: 'Close the test report' }).click();
              }
            }
          } finally {
            await context.close();
          }
        }
      }
    } finally {
      await relay.close();
    }
  });
});
