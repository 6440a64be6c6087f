// "Set up from an email address" on the SMTP tab, against real parts on loopback: Mailroom asks a
// DNS server speaking DNS over UDP (MAILROOM_DNS_SERVERS) and reads autoconfig from an HTTPS
// server whose certificate comes from the test CA (trusted through NODE_EXTRA_CA_CERTS). The
// proposal shows each value with its source; "Use these settings" fills a new or the open profile,
// and nothing is saved until Save.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { defaultSettings, newProfile, type Settings } from '../../preload/contract';
import { autoconfigXml, startAutoconfigServer, type AutoconfigServer } from '../helpers/autoconfig-server';
import { startDnsServer, type DnsServer } from '../helpers/dns-server';
import { createTestCa } from '../helpers/test-ca';
import { expectAccessibleInBothThemes, showWholePage } from './axe';
import { test as base, expect, serveWhileUsed, type MailroomServer } from './fixtures';
import { openDialog } from './open-dialog';

interface LocalNet {
  dns: DnsServer;
  web: AutoconfigServer;
  caFile: string;
}

/** A DNS server and an autoconfig server on loopback, and a Mailroom that asks them. */
const test = base.extend<{ localNet: LocalNet; detectServer: MailroomServer }>({
  // Playwright reads a fixture's dependencies from this pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  localNet: async ({}, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-e2e-net-'));
    const ca = createTestCa();
    const caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, ca.cert);
    const dns = await startDnsServer({
      'autoconfig.harbour.test': { A: ['127.0.0.1'] },
      'contoso-mail.test': { MX: [{ priority: 0, exchange: 'contoso-mail-test.mail.protection.outlook.com' }] },
    });
    const web = await startAutoconfigServer(ca, ['autoconfig.harbour.test'], (_req, res) =>
      res
        .writeHead(200, { 'Content-Type': 'application/xml' })
        .end(autoconfigXml('Harbour Hosting', [{ hostname: 'smtp.%EMAILDOMAIN%', port: 465, socketType: 'SSL', username: '%EMAILLOCALPART%' }])),
    );
    try {
      await use({ dns, web, caFile });
    } finally {
      await web.close();
      await dns.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  detectServer: async ({ localNet }, use) =>
    serveWhileUsed(use, {
      MAILROOM_DNS_SERVERS: localNet.dns.server,
      MAILROOM_AUTOCONFIG_PORT: String(localNet.web.port),
      NODE_EXTRA_CA_CERTS: localNet.caFile,
    }),
});

async function seed(mailroom: MailroomServer): Promise<void> {
  const base = defaultSettings();
  const settings: Settings = {
    ...base,
    general: { ...base.general, organisationName: 'Harbour Accounts Ltd', alertFrom: 'alerts@harbour.example' },
    smtp: { profiles: [{ ...newProfile('p-relay', 'Office relay'), host: 'relay.harbour.example', port: 25, security: 'none', auth: 'none', fromAddress: 'accounts@harbour.example' }] },
  };
  const response = await fetch(`${mailroom.origin}/api/invoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${mailroom.token}` },
    body: JSON.stringify({ channel: 'settings:save', input: settings }),
  });
  expect(((await response.json()) as { ok: boolean }).ok, 'settings:save succeeds').toBe(true);
}

/**
 * axe over the modal dialog alone, light and dark. The page behind it is inert and covered by the
 * backdrop; it is hidden while axe runs because axe gives up on a line of the dialog's text whenever
 * an element far behind the opaque dialog ends halfway down it ("partially overlaps").
 */
async function expectDialogAccessible(page: Page, what: string): Promise<void> {
  const hidden = await page.addStyleTag({ content: 'body > :not(:has([role="dialog"])) { visibility: hidden !important; }' });
  try {
    await expectAccessibleInBothThemes(page, what, { include: '[role="dialog"]' });
  } finally {
    await hidden.evaluate((style) => (style as Element).remove());
  }
}

function ui(page: Page) {
  const panel = page.getByRole('tabpanel', { name: 'SMTP' });
  const dialog = page.getByRole('dialog', { name: 'Set up from an email address' });
  const proposal = dialog.getByRole('table', { name: /Proposed settings/ });
  return {
    tab: page.getByRole('tab', { name: 'SMTP' }),
    panel,
    open: panel.getByRole('button', { name: 'Set up from an email address' }),
    dialog,
    address: dialog.getByRole('textbox', { name: 'Email address' }),
    find: dialog.getByRole('button', { name: 'Find settings' }),
    proposal,
    /** The value and source cells of one row of the proposal. */
    row: (setting: string) => {
      const row = proposal.getByRole('row').filter({ has: page.getByRole('cell', { name: setting, exact: true }) });
      return { value: row.getByRole('cell').nth(1), source: row.getByRole('cell').nth(2) };
    },
    tried: dialog.getByRole('region', { name: 'What was tried' }),
    newProfile: dialog.getByRole('radio', { name: 'A new profile' }),
    openProfile: dialog.getByRole('radio', { name: /The open profile/ }),
    profileName: dialog.getByRole('textbox', { name: 'Profile name' }),
    use: dialog.getByRole('button', { name: 'Use these settings' }),
    list: panel.getByRole('listbox', { name: 'Server profiles' }),
    host: panel.getByRole('textbox', { name: 'Server host', exact: true }),
    port: panel.getByRole('spinbutton', { name: 'Port', exact: true }),
    security: panel.getByRole('combobox', { name: 'Transport security', exact: true }),
    authModel: panel.getByRole('combobox', { name: 'Authentication model', exact: true }),
    tenant: panel.getByRole('textbox', { name: 'Tenant', exact: true }),
    username: panel.getByRole('textbox', { name: 'Username', exact: true }),
    mailbox: panel.getByRole('textbox', { name: 'Mailbox', exact: true }),
    fromAddress: panel.getByRole('textbox', { name: 'From address', exact: true }),
    save: page.getByRole('button', { name: 'Save', exact: true }),
  };
}

test('an address served by autoconfig fills a new profile, one whose MX is Microsoft 365 fills the open one, and nothing is saved', async ({ browser, detectServer, localNet }) => {
  await seed(detectServer);
  const saved = JSON.stringify(detectServer.readSettingsFile());
  const { context, page, pageErrors } = await openDialog(browser, detectServer, { height: 1100 });
  try {
    const u = ui(page);
    await u.tab.click();
    await expect(u.open).toBeVisible();
    await showWholePage(page);
    await expectAccessibleInBothThemes(page, 'the SMTP tab with Set up from an email address');
    await u.open.click();
    await expect(u.dialog).toBeVisible();

    // Checked before anything is asked: the message is under the field.
    await u.address.fill('accounts at harbour');
    await u.find.click();
    await expect(u.dialog.getByText('"accounts at harbour" is not an email address')).toBeVisible();
    await expect(u.address).toHaveAttribute('aria-invalid', 'true');

    await u.address.fill('accounts@harbour.test');
    await u.find.click();
    const url = `https://autoconfig.harbour.test:${localNet.web.port}/mail/config-v1.1.xml?emailaddress=accounts%40harbour.test`;
    await expect(u.proposal).toBeVisible({ timeout: 15_000 });
    await expect(u.dialog.getByRole('heading', { name: 'Proposed settings: Harbour Hosting' })).toBeVisible();
    await expect(u.row('Server host').value).toHaveText('smtp.harbour.test');
    await expect(u.row('Server host').source).toHaveText(`autoconfig at ${url}`);
    await expect(u.row('Port').value).toHaveText('465');
    await expect(u.row('Port').source).toHaveText('Same as above');
    await expect(u.row('Transport security').value).toHaveText('SSL/TLS');
    await expect(u.row('Username').value).toHaveText('accounts');
    await expect(u.row('Username').source).toHaveText(`autoconfig at ${url} (%EMAILLOCALPART%)`);
    await expect(u.tried).toContainText('Built-in table harbour.test: harbour.test is not a provider Mailroom knows by name');
    await expect(u.tried).toContainText(`Found · Autoconfig ${url}: smtp.harbour.test:465`);
    expect(localNet.web.requests).toContain(`autoconfig.harbour.test /mail/config-v1.1.xml?emailaddress=accounts%40harbour.test`);
    expect(localNet.dns.queries).toContain('harbour.test MX');

    await expectDialogAccessible(page, 'the proposal from an autoconfig file');

    await expect(u.newProfile).toBeChecked();
    await expect(u.profileName).toHaveValue('Harbour Hosting');
    await u.use.click();
    await expect(u.dialog).toBeHidden();
    await expect(u.list.getByRole('option', { name: /Harbour Hosting/ })).toHaveAttribute('aria-selected', 'true');
    await expect(u.host).toHaveValue('smtp.harbour.test');
    await expect(u.port).toHaveValue('465');
    await expect(u.security).toHaveText('SSL/TLS');
    await expect(u.username).toHaveValue('accounts');
    await expect(u.fromAddress).toHaveValue('accounts@harbour.test');
    await expect(u.save).toBeEnabled();
    expect(JSON.stringify(detectServer.readSettingsFile()), 'nothing is saved by Use these settings').toBe(saved);

    // Now into the open profile: its connection only.
    await u.list.getByRole('option', { name: /Office relay/ }).click();
    await u.open.click();
    await u.address.fill('Invoices <invoices@contoso-mail.test>');
    await u.find.click();
    await expect(u.row('Server host').value).toHaveText('smtp.office365.com', { timeout: 15_000 });
    await expect(u.row('Server host').source).toHaveText('MX record contoso-mail-test.mail.protection.outlook.com → Microsoft 365');
    await expect(u.row('Authentication model').value).toHaveText('OAuth2');
    await expect(u.row('Tenant').value).toHaveText('contoso-mail.test');
    await expect(u.dialog.getByText('SMTP AUTH must be allowed for the mailbox')).toBeVisible();
    await u.openProfile.check();
    await expect(u.profileName).toBeHidden();
    await u.use.click();
    await expect(u.dialog).toBeHidden();
    await expect(u.list.getByRole('option', { name: /Office relay/ })).toHaveAttribute('aria-selected', 'true');
    await expect(u.host).toHaveValue('smtp.office365.com');
    await expect(u.port).toHaveValue('587');
    await expect(u.security).toHaveText('STARTTLS required');
    await expect(u.authModel).toHaveText('OAuth2');
    await expect(u.tenant).toHaveValue('contoso-mail.test');
    await expect(u.mailbox).toHaveValue('invoices@contoso-mail.test');
    // Its sender stays as it was.
    await expect(u.fromAddress).toHaveValue('accounts@harbour.example');
    expect(JSON.stringify(detectServer.readSettingsFile()), 'still nothing saved').toBe(saved);
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('an address nothing is known about says so, with what was tried', async ({ browser, detectServer }) => {
  const { context, page } = await openDialog(browser, detectServer, { height: 1000 });
  try {
    const u = ui(page);
    await u.tab.click();
    await u.open.click();
    await u.address.fill('ada@unknown.test');
    await u.address.press('Enter');
    await expect(u.dialog.getByText('No settings found for unknown.test.')).toBeVisible({ timeout: 15_000 });
    await expect(u.tried).toContainText('Nothing there · MX record unknown.test MX: No MX record');
    await expect(u.use).toHaveCount(0);
    await expectDialogAccessible(page, 'a detection that found nothing');
    await u.dialog.getByRole('button', { name: 'Close' }).click();
    await expect(u.dialog).toBeHidden();
  } finally {
    await context.close();
  }
});
