// The built-in mailer against a real SMTP server on loopback (STARTTLS with a test CA, AUTH): write
// a message with formatting and an attachment, send it through the outbox and read what the server
// received; addresses checked as they are typed; drafts saved, reopened and deleted; attachments
// over the profile's limit; a refused and a postponed send. Found by role and name throughout.
import net from 'node:net';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { simpleParser } from 'mailparser';
import { defaultSettings, newProfile, type DraftSummary, type Settings, type SmtpProfile } from '../../preload/contract';
import type { MailroomServer } from './fixtures';
import { expectAccessibleInBothThemes, expectNoViolations, showWholePage } from './axe';
import { openDialog, type ColorScheme } from './open-dialog';
import { test, expect, type TestSmtpServer } from './smtp-server-fixture';
import { shotsDir } from './shots/shots';

const FROM_ADDRESS = 'accounts@harbour.example';
const PROFILE_NAME = 'Harbour relay';

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

function relayProfile(smtp: TestSmtpServer, changes: Partial<SmtpProfile> = {}): SmtpProfile {
  return {
    ...newProfile('p-harbour', PROFILE_NAME),
    host: smtp.host,
    port: smtp.port,
    security: 'starttls-required',
    caFile: smtp.caFile,
    username: smtp.user,
    fromName: 'Harbour Accounts',
    fromAddress: FROM_ADDRESS,
    timeoutSeconds: 10,
    ...changes,
  };
}

/** Saves the profiles (the first is the default) and the relay's password, as an administrator would have. */
async function seed(mailroom: MailroomServer, profiles: SmtpProfile[], password: string): Promise<void> {
  const base = defaultSettings();
  const settings: Settings = {
    ...base,
    general: { ...base.general, organisationName: 'Harbour Accounts Ltd', alertFrom: 'alerts@harbour.example', systemNotification: 'it-notices@harbour.example', defaultProfile: profiles[0]?.id ?? '' },
    smtp: { profiles },
  };
  await invoke(mailroom, 'settings:save', settings);
  for (const p of profiles) await invoke(mailroom, 'secrets:set-profile-password', { profileId: p.id, password });
}

/** A loopback port nothing listens on: a relay that is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Bytes that look like a small PDF, different on every byte so a truncation or re-encoding shows. */
function pdfBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  Buffer.from('%PDF-1.4\n').copy(bytes);
  for (let i = 9; i < size; i++) bytes[i] = (i * 31 + 7) % 256;
  return bytes;
}

function composeWindow(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'New email' });
  return {
    dialog,
    newEmail: page.getByRole('button', { name: 'New email' }),
    draftsButton: page.getByRole('button', { name: 'Drafts', exact: true }),
    from: dialog.getByRole('combobox', { name: 'From' }),
    to: dialog.getByRole('textbox', { name: 'To', exact: true }),
    cc: dialog.getByRole('textbox', { name: 'Cc', exact: true }),
    bcc: dialog.getByRole('textbox', { name: 'Bcc', exact: true }),
    subject: dialog.getByRole('textbox', { name: 'Subject', exact: true }),
    body: dialog.getByRole('textbox', { name: 'Message', exact: true }),
    formatting: dialog.getByRole('toolbar', { name: 'Formatting' }),
    bold: dialog.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Bold', exact: true }),
    bulleted: dialog.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Bulleted list', exact: true }),
    link: dialog.getByRole('toolbar', { name: 'Formatting' }).getByRole('button', { name: 'Link', exact: true }),
    attachments: dialog.getByRole('group', { name: 'Attachments' }),
    attachedFiles: dialog.getByRole('list', { name: 'Attached files' }),
    fileInput: dialog.locator('input[type="file"]'),
    total: dialog.getByTestId('attachment-total'),
    send: dialog.getByRole('button', { name: 'Send', exact: true }),
    saveDraft: dialog.getByRole('button', { name: 'Save draft' }),
    discard: dialog.getByRole('button', { name: 'Discard' }),
    close: dialog.getByRole('button', { name: 'Close', exact: true }),
  };
}

type ComposeUi = ReturnType<typeof composeWindow>;

async function openCompose(browser: Browser, mailroom: MailroomServer, colorScheme: ColorScheme = 'light') {
  const opened = await openDialog(browser, mailroom, { colorScheme });
  const ui = composeWindow(opened.page);
  await ui.newEmail.click();
  await expect(ui.dialog).toBeVisible();
  // The profiles are loaded once From shows the default.
  await expect(ui.from).toHaveText(/./);
  return { ...opened, ui };
}

/** The field's validation message: Fluent ties it to the control with aria-describedby. */
async function descriptionOf(page: Page, control: ReturnType<Page['getByRole']>): Promise<string> {
  const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.map((t) => (t ?? '').trim()).join(' ');
}

/** Axe over the whole page: no tooltip left from the pointer, nothing scrolled out of view behind the window. */
/** The pointer moved off the toolbar, and the tooltip it left behind gone (it fades out after a moment). */
async function pointerAway(page: Page) {
  await page.mouse.move(1, 1);
  await expect(page.getByRole('tooltip')).toHaveCount(0);
}

async function checkA11y(page: Page, what: string) {
  await pointerAway(page);
  await showWholePage(page);
  await expectNoViolations(page, what);
}

async function checkA11yInBothThemes(page: Page, what: string) {
  await pointerAway(page);
  await showWholePage(page);
  await expectAccessibleInBothThemes(page, what);
}

/** Types a body with a bold phrase and a bulleted list, by keyboard and toolbar. */
async function writeBody(page: Page, ui: ComposeUi) {
  await ui.body.click();
  await page.keyboard.type('Please find ');
  await page.keyboard.press('Control+b');
  await page.keyboard.type('invoice 1042');
  await page.keyboard.press('Control+b');
  await page.keyboard.type(' attached.');
  await page.keyboard.press('Enter');
  await ui.bulleted.click();
  await page.keyboard.type('Due in 30 days');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Pay to account 12-3456');
}

async function attach(ui: ComposeUi, name: string, buffer: Buffer, mimeType = 'application/pdf') {
  await ui.fileInput.setInputFiles({ name, mimeType, buffer });
  await expect(ui.attachedFiles.getByRole('listitem').filter({ hasText: name })).toBeVisible();
}

// ---- the tests -----------------------------------------------------------------------------------

test('the built-in mailer sends a message with an attachment that arrives at a local server', async ({ browser, mailroom, smtp }) => {
  await seed(mailroom, [relayProfile(smtp)], smtp.password);
  const { context, page, pageErrors, ui } = await openCompose(browser, mailroom);
  try {
    // Focus starts in To; From is the default profile, with its sender shown.
    await expect(ui.to).toBeFocused();
    await expect(ui.from).toHaveText(PROFILE_NAME);
    await expect(ui.dialog.getByText(`Sent as Harbour Accounts <${FROM_ADDRESS}>`)).toBeVisible();
    // Nothing to send to yet: Send says why.
    await expect(ui.send).toHaveAttribute('aria-disabled', 'true');
    expect(await descriptionOf(page, ui.send)).toBe('Add a recipient in To, Cc or Bcc to send.');
    await expect(ui.total).toHaveText('No files attached; up to 20 MB in all');

    await ui.to.fill('ap@northwind.example; Billing <billing@contoso.example>');
    await ui.cc.fill('controller@harbour.example');
    await ui.subject.fill('Invoice 1042');
    await writeBody(page, ui);
    await expect(ui.body.locator('b')).toHaveText('invoice 1042');
    await expect(ui.body.locator('ul > li')).toHaveText(['Due in 30 days', 'Pay to account 12-3456']);
    await expect(ui.bulleted).toHaveAttribute('aria-pressed', 'true');

    const invoice = pdfBytes(48 * 1024 + 17);
    await attach(ui, 'invoice-1042.pdf', invoice);
    await expect(ui.attachedFiles.getByRole('listitem')).toHaveText([/invoice-1042\.pdf\s*48 KB/]);
    await expect(ui.total).toHaveText('48 KB of 20 MB');
    await expect(ui.send).not.toHaveAttribute('aria-disabled', 'true');
    await checkA11y(page, 'the compose window, filled in');

    await ui.send.click();
    await expect(ui.dialog).toBeHidden({ timeout: 15_000 });
    const toast = page.getByText(/^Message-ID </);
    await expect(toast).toBeVisible();
    await expect(page.getByText('Sent', { exact: true })).toBeVisible();
    const messageId = ((await toast.textContent()) ?? '').replace(/^Message-ID /, '').trim();
    expect(messageId).toMatch(/^<.+@.+>$/);

    const received = await smtp.waitForMessage(messageId);
    expect(received.envelopeFrom).toBe(FROM_ADDRESS);
    expect(received.envelopeTo.sort()).toEqual(['ap@northwind.example', 'billing@contoso.example', 'controller@harbour.example']);
    expect(received.user).toBe(smtp.user);
    const parsed = await simpleParser(received.raw);
    expect(parsed.subject).toBe('Invoice 1042');
    expect(parsed.from?.value[0]?.address).toBe(FROM_ADDRESS);
    const to = Array.isArray(parsed.to) ? parsed.to.flatMap((a) => a.value) : (parsed.to?.value ?? []);
    expect(to.map((a) => a.address)).toEqual(['ap@northwind.example', 'billing@contoso.example']);
    expect(typeof parsed.html === 'string' ? parsed.html : '').toMatch(/<(b|strong)>invoice 1042<\/(b|strong)>/);
    expect(parsed.html).toContain('<li>Due in 30 days</li>');
    // The plain-text alternative says the same in text.
    expect(parsed.text).toContain('Please find invoice 1042 attached.');
    expect(parsed.text).toContain('- Due in 30 days\n- Pay to account 12-3456');
    expect(parsed.attachments).toHaveLength(1);
    const [file] = parsed.attachments;
    expect(file?.filename).toBe('invoice-1042.pdf');
    expect(file?.contentType).toBe('application/pdf');
    expect(Buffer.compare(file?.content ?? Buffer.alloc(0), invoice)).toBe(0);

    // It went through the outbox: the Activity tab has it as Sent.
    await page.getByRole('button', { name: 'Show in Activity' }).click();
    const activity = page.getByRole('tabpanel', { name: 'Activity' });
    await expect(activity).toBeVisible();
    const row = activity.getByRole('row').filter({ has: page.getByRole('button', { name: 'Invoice 1042', exact: true }) });
    await expect(row.getByText('Sent', { exact: true })).toBeVisible();
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('an invalid address blocks Send, with the error next to the field that holds it', async ({ browser, mailroom, smtp }) => {
  await seed(mailroom, [relayProfile(smtp)], smtp.password);
  const { context, page, pageErrors, ui } = await openCompose(browser, mailroom);
  try {
    // No complaint while an address is still being typed…
    await ui.to.pressSequentially('ap@northwind.example, bob@');
    await expect(ui.to).not.toHaveAttribute('aria-invalid', 'true');
    // …but once the field is left, the bad one is named under it.
    await ui.subject.click();
    await expect(ui.to).toHaveAttribute('aria-invalid', 'true');
    const problem = '“bob@” is not an email address. Enter addresses like accounts@example.com or Accounts <accounts@example.com>, separated by commas or semicolons; put a name with a comma in double quotes.';
    expect(await descriptionOf(page, ui.to)).toBe(problem);
    await expect(ui.send).toHaveAttribute('aria-disabled', 'true');
    expect(await descriptionOf(page, ui.send)).toBe('Correct the address in To to send.');
    // Pressing it anyway sends nothing.
    await ui.send.click({ force: true });
    await expect(ui.dialog).toBeVisible();
    expect(smtp.received.size).toBe(0);

    // Bcc is checked the same way, and names every bad address.
    await ui.bcc.fill('audit;archive@harbour');
    await ui.subject.click();
    expect(await descriptionOf(page, ui.bcc)).toContain('“audit” and “archive@harbour” are not email addresses.');

    await ui.to.fill('ap@northwind.example, bob@contoso.example');
    await ui.bcc.fill('');
    await ui.subject.click();
    await expect(ui.to).not.toHaveAttribute('aria-invalid', 'true');
    await expect(ui.send).not.toHaveAttribute('aria-disabled', 'true');
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a saved draft reopens from the Drafts list with its fields, text and attachment, and can be deleted', async ({ browser, mailroom, smtp }) => {
  await seed(mailroom, [relayProfile(smtp)], smtp.password);
  const { context, page, pageErrors, ui } = await openCompose(browser, mailroom);
  try {
    const statement = pdfBytes(3 * 1024 * 1024 + 200 * 1024);
    await ui.to.fill('ap@northwind.example');
    await ui.cc.fill('controller@harbour.example');
    await ui.bcc.fill('archive@harbour.example');
    await ui.subject.fill('Statement March');
    await writeBody(page, ui);
    await attach(ui, 'statement-march.pdf', statement);
    await expect(ui.total).toHaveText('3.2 MB of 20 MB');

    await ui.saveDraft.click();
    await expect(ui.dialog.getByRole('status')).toHaveText(/^Draft saved at \d{1,2}:\d{2}/);
    let drafts = (await invoke(mailroom, 'drafts:list', undefined)) as DraftSummary[];
    expect(drafts).toHaveLength(1);
    const id = drafts[0]?.id;

    // A later save overwrites the same draft; Ctrl+S saves the draft here, not the settings behind.
    await ui.subject.fill('Statement for March');
    await ui.subject.press('Control+s');
    await expect(ui.saveDraft).toHaveAttribute('aria-disabled', 'true');
    drafts = (await invoke(mailroom, 'drafts:list', undefined)) as DraftSummary[];
    expect(drafts.map((d) => [d.id, d.subject])).toEqual([[id, 'Statement for March']]);
    expect(drafts[0]?.attachmentBytes).toBe(statement.length);

    // Nothing unsaved: closing does not ask.
    await ui.close.click();
    await expect(ui.dialog).toBeHidden();

    await ui.draftsButton.click();
    const list = page.getByRole('dialog', { name: 'Drafts' });
    await expect(list).toBeVisible();
    const entry = list.getByRole('button', { name: /^Statement for March/ });
    await expect(entry).toContainText('To ap@northwind.example · saved today');
    await expect(entry).toContainText('3.2 MB attached');
    await checkA11y(page, 'the drafts list');
    await entry.click();

    await expect(ui.dialog).toBeVisible();
    await expect(ui.to).toHaveValue('ap@northwind.example');
    await expect(ui.cc).toHaveValue('controller@harbour.example');
    await expect(ui.bcc).toHaveValue('archive@harbour.example');
    await expect(ui.subject).toHaveValue('Statement for March');
    await expect(ui.body.locator('b')).toHaveText('invoice 1042');
    await expect(ui.body.locator('ul > li')).toHaveText(['Due in 30 days', 'Pay to account 12-3456']);
    await expect(ui.attachedFiles.getByRole('listitem')).toHaveText([/statement-march\.pdf\s*3\.2 MB/]);
    await expect(ui.dialog.getByRole('status')).toHaveText(/^Draft saved at /);

    // A change not saved yet: Escape asks first, and Keep editing keeps it.
    await ui.subject.fill('Statement for March (corrected)');
    await page.keyboard.press('Escape');
    const confirm = page.getByRole('alertdialog', { name: 'Discard your changes?' });
    await expect(confirm).toBeVisible();
    await checkA11y(page, 'the discard question');
    await confirm.getByRole('button', { name: 'Keep editing' }).click();
    await expect(confirm).toBeHidden();
    await expect(ui.subject).toHaveValue('Statement for March (corrected)');
    await ui.discard.click();
    await confirm.getByRole('button', { name: 'Discard' }).click();
    await expect(ui.dialog).toBeHidden();
    // The draft keeps what was saved.
    drafts = (await invoke(mailroom, 'drafts:list', undefined)) as DraftSummary[];
    expect(drafts.map((d) => d.subject)).toEqual(['Statement for March']);

    // Deleting asks, then removes it.
    await ui.draftsButton.click();
    await list.getByRole('button', { name: 'Delete draft “Statement for March”' }).click();
    const ask = page.getByRole('alertdialog', { name: 'Delete draft “Statement for March”?' });
    await ask.getByRole('button', { name: 'Delete' }).click();
    await expect(ask).toBeHidden();
    await expect.poll(async () => ((await invoke(mailroom, 'drafts:list', undefined)) as DraftSummary[]).length).toBe(0);
    await ui.draftsButton.click();
    await expect(list.getByText(/^No saved drafts/)).toBeVisible();
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('sending a draft sends the attachment it was saved with, and removes the draft', async ({ browser, mailroom, smtp }) => {
  await seed(mailroom, [relayProfile(smtp)], smtp.password);
  const remittance = pdfBytes(2000);
  await invoke(mailroom, 'drafts:save', {
    draft: {
      profileId: '',
      to: ['ap@northwind.example'],
      cc: [],
      bcc: [],
      subject: 'Remittance 77',
      html: '<p>Paid <i>in full</i>.</p>',
      attachments: [{ filename: 'remittance-77.pdf', contentBase64: remittance.toString('base64'), contentType: 'application/pdf' }],
    },
  });
  const { context, page, ui } = await openDialog(browser, mailroom).then((o) => ({ ...o, ui: composeWindow(o.page) }));
  try {
    await ui.draftsButton.click();
    await page.getByRole('dialog', { name: 'Drafts' }).getByRole('button', { name: /^Remittance 77/ }).click();
    await expect(ui.body.locator('i')).toHaveText('in full');
    await ui.send.click();
    await expect(ui.dialog).toBeHidden({ timeout: 15_000 });
    const messageId = ((await page.getByText(/^Message-ID </).textContent()) ?? '').replace(/^Message-ID /, '').trim();
    const parsed = await simpleParser((await smtp.waitForMessage(messageId)).raw);
    expect(parsed.html).toContain('<i>in full</i>');
    expect(parsed.text).toBe('Paid in full.');
    expect(Buffer.compare(parsed.attachments[0]?.content ?? Buffer.alloc(0), remittance)).toBe(0);
    expect(await invoke(mailroom, 'drafts:list', undefined)).toEqual([]);
  } finally {
    await context.close();
  }
});

test('attachments over the profile’s limit disable Send with the reason', async ({ browser, mailroom, smtp }) => {
  await seed(mailroom, [relayProfile(smtp, { maxAttachmentsMb: 1 }), relayProfile(smtp, { id: 'p-large', name: 'Large files relay', maxAttachmentsMb: 0 })], smtp.password);
  const { context, page, pageErrors, ui } = await openCompose(browser, mailroom);
  try {
    await ui.to.fill('ap@northwind.example');
    await ui.subject.fill('Ledger export');
    await attach(ui, 'ledger.pdf', pdfBytes(1536 * 1024));
    await expect(ui.total).toHaveText('1.5 MB of 1 MB');
    const reason = 'The attachments total 1.5 MB; the profile “Harbour relay” allows 1 MB. Remove files or choose another profile to send.';
    await expect(ui.attachments.getByText(reason)).toBeVisible();
    await expect(ui.send).toHaveAttribute('aria-disabled', 'true');
    expect(await descriptionOf(page, ui.send)).toBe('The attachments are over the 1 MB limit of this profile.');
    await checkA11y(page, 'attachments over the limit');

    // A profile without a limit takes them.
    await ui.from.click();
    await page.getByRole('option', { name: /^Large files relay/ }).click();
    await expect(ui.total).toHaveText('1.5 MB (no limit)');
    await expect(ui.send).not.toHaveAttribute('aria-disabled', 'true');

    // Back to the limited one, and removing the file clears the way.
    await ui.from.click();
    await page.getByRole('option', { name: /^Harbour relay/ }).click();
    await expect(ui.send).toHaveAttribute('aria-disabled', 'true');
    await ui.attachedFiles.getByRole('button', { name: 'Remove ledger.pdf' }).click();
    await expect(ui.attachedFiles).toHaveCount(0);
    await expect(ui.total).toHaveText('No files attached; up to 1 MB in all');
    await expect(ui.send).not.toHaveAttribute('aria-disabled', 'true');
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a refused send keeps the window open with the advice; a postponed one says it will be retried', async ({ browser, mailroom, smtp }) => {
  // A wrong password: the server refuses for good.
  await seed(mailroom, [relayProfile(smtp), relayProfile(smtp, { id: 'p-down', name: 'Branch relay', port: await closedPort(), security: 'none', auth: 'none' })], 'not the password');
  const { context, page, pageErrors, ui } = await openCompose(browser, mailroom);
  try {
    await ui.to.fill('ap@northwind.example');
    await ui.subject.fill('Invoice 1043');
    await ui.send.click();
    const advice = ui.dialog.locator('[data-advice-code]');
    await expect(advice).toBeVisible({ timeout: 15_000 });
    await expect(advice.getByRole('heading', { level: 3 })).toHaveText(/^Not sent: /);
    await expect(advice.getByRole('term')).toContainText(['Likely cause', 'What to do']);
    await expect(ui.dialog.getByText('The message is on the Activity tab as Failed.', { exact: false })).toBeVisible();
    // Still open, still editable, and Send can be pressed again.
    await expect(ui.subject).toHaveValue('Invoice 1043');
    await expect(ui.send).not.toHaveAttribute('aria-disabled', 'true');
    await checkA11y(page, 'a refused send');

    // A relay that is down: the outbox keeps the message and tries again by itself.
    await ui.from.click();
    await page.getByRole('option', { name: /^Branch relay/ }).click();
    await ui.send.click();
    await expect(ui.dialog.getByText('Not sent yet: Mailroom will try again')).toBeVisible({ timeout: 15_000 });
    await expect(ui.dialog.getByText(/Follow it on the Activity tab\./)).toBeVisible();
    await expect(ui.send).toHaveCount(0);
    await ui.dialog.getByRole('button', { name: 'Show in Activity' }).click();
    await expect(ui.dialog).toBeHidden();
    const activity = page.getByRole('tabpanel', { name: 'Activity' });
    // Two messages: the one refused, and the one waiting for the relay.
    const rows = activity.getByRole('row').filter({ has: page.getByRole('button', { name: 'Invoice 1043', exact: true }) });
    await expect(rows).toHaveCount(2);
    await expect(rows.getByText('Queued', { exact: true })).toHaveCount(1);
    await expect(rows.getByText('Failed', { exact: true })).toHaveCount(1);
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('the compose window passes the accessibility check in light and dark, empty and with an error', async ({ browser, mailroom, smtp }) => {
  // Three axe runs in each theme over the richest window of the app, beside another test on the other core.
  test.slow();
  await seed(mailroom, [relayProfile(smtp)], smtp.password);
  const { context, page, ui } = await openCompose(browser, mailroom);
  try {
    await checkA11yInBothThemes(page, 'the empty compose window');
    await ui.to.fill('bob@');
    await ui.subject.click();
    await expect(ui.to).toHaveAttribute('aria-invalid', 'true');
    await ui.body.click();
    await page.keyboard.type('Hello');
    await ui.link.click();
    const linkBox = page.getByRole('dialog', { name: 'Add link' });
    await expect(linkBox).toBeVisible();
    await linkBox.getByRole('textbox', { name: 'Link address' }).fill('javascript:alert(1)');
    await linkBox.getByRole('button', { name: 'Add link' }).click();
    await expect(linkBox.getByText('A web address starting with https:// or http://, or an email address')).toBeVisible();
    await checkA11yInBothThemes(page, 'the link box with an error');
    await linkBox.getByRole('textbox', { name: 'Link address' }).fill('https://pay.harbour.example/1042');
    await linkBox.getByRole('button', { name: 'Add link' }).click();
    await expect(linkBox).toBeHidden();
    await expect(ui.body.getByRole('link', { name: 'pay.harbour.example/1042' })).toHaveAttribute('href', 'https://pay.harbour.example/1042');
    await checkA11yInBothThemes(page, 'the compose window with an address error');
  } finally {
    await context.close();
  }
});

test('pasted content keeps its basic formatting and loses scripts, styles and handlers', async ({ browser, mailroom, smtp }) => {
  await seed(mailroom, [relayProfile(smtp)], smtp.password);
  const { context, page, pageErrors, ui } = await openCompose(browser, mailroom);
  try {
    await ui.body.click();
    await ui.body.evaluate((editor) => {
      const data = new DataTransfer();
      data.setData(
        'text/html',
        '<style>p{color:red}</style><p style="color:red" onclick="alert(1)">Total <strong class="x">£120</strong></p>' +
          '<script>window.pasted = true</script><img src="x" onerror="window.pasted = true">' +
          '<a href="javascript:alert(1)">bad link</a> <a href="https://harbour.example" onmouseover="x()">good link</a><ul><li>one</li></ul>',
      );
      data.setData('text/plain', 'Total £120');
      editor.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await expect(ui.body.locator('strong, b')).toHaveText('£120');
    await expect(ui.body.getByRole('link')).toHaveText(['good link']);
    await expect(ui.body.locator('li')).toHaveText(['one']);
    const html = await ui.body.innerHTML();
    expect(html).not.toMatch(/script|style=|onclick|onerror|onmouseover|<img|javascript:/i);
    expect(await page.evaluate(() => (window as { pasted?: boolean }).pasted)).toBeUndefined();
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

// Screenshots for a person to look at: `npm run shots` runs this, the test run leaves it out.
test.describe('screenshots @shots', () => {
  test.setTimeout(120_000);
  test('the compose window, light and dark: empty, filled in, an address error, over the limit', async ({ browser, mailroom, smtp }) => {
    const dir = shotsDir();
    await seed(mailroom, [relayProfile(smtp, { maxAttachmentsMb: 5 })], smtp.password);
    for (const colorScheme of ['light', 'dark'] as const) {
      const { context, page, ui } = await openCompose(browser, mailroom, colorScheme);
      // Let openings, fades and tooltips finish before each picture.
      const settle = async () => {
        await page.mouse.move(1, 1);
        await page.waitForTimeout(500);
      };
      try {
        await settle();
        await page.screenshot({ path: path.join(dir, `compose-empty-${colorScheme}.png`) });
        await ui.to.fill('ap@northwind.example; billing@contoso.example');
        await ui.cc.fill('controller@harbour.example');
        await ui.subject.fill('Invoice 1042 for March');
        await writeBody(page, ui);
        await attach(ui, 'invoice-1042.pdf', pdfBytes(184 * 1024));
        await attach(ui, 'statement-march-2025-harbour-accounts-ltd.pdf', pdfBytes(1200 * 1024));
        await settle();
        await page.screenshot({ path: path.join(dir, `compose-filled-${colorScheme}.png`) });
        await ui.to.fill('ap@northwind.example; bob@');
        await ui.subject.click();
        await settle();
        await page.screenshot({ path: path.join(dir, `compose-invalid-${colorScheme}.png`) });
        await ui.to.fill('ap@northwind.example');
        await attach(ui, 'ledger-export.xlsx', pdfBytes(4 * 1024 * 1024), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        await settle();
        await page.screenshot({ path: path.join(dir, `compose-over-limit-${colorScheme}.png`) });
        await ui.discard.click();
        await page.getByRole('alertdialog').getByRole('button', { name: 'Keep editing' }).waitFor();
        await settle();
        await page.screenshot({ path: path.join(dir, `compose-discard-${colorScheme}.png`) });
        await page.getByRole('alertdialog').getByRole('button', { name: 'Keep editing' }).click();
        await ui.attachedFiles.getByRole('button', { name: 'Remove ledger-export.xlsx' }).click();
        await ui.saveDraft.click();
        await expect(ui.dialog.getByRole('status')).toHaveText(/^Draft saved at /);
        await ui.close.click();
        await expect(ui.dialog).toBeHidden();
        await ui.draftsButton.click();
        await settle();
        await page.screenshot({ path: path.join(dir, `compose-drafts-${colorScheme}.png`) });
      } finally {
        await context.close();
      }
    }
  });
});
