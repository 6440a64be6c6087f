// The SMTP tab when a saved profile's connection is edited: Test connection and Send test do not
// take the saved password to the changed server, and say so under the Password field, where the
// password is typed again. The saved profile, unchanged, still tests with its saved password.
import net from 'node:net';
import type { Page } from '@playwright/test';
import { PASSWORD_FOR_CHANGED_CONNECTION, defaultSettings, newProfile, type Settings } from '../../preload/contract';
import type { MailroomServer } from './fixtures';
import { openDialog } from './open-dialog';
import { test, expect } from './smtp-server-fixture';
import { SHOTS, shotPath } from './shots/shots';

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

/** A loopback server that counts connections and records every byte: where a leaked password would go. */
async function listener(): Promise<{ port: number; connections: () => number; bytes: () => string; close: () => Promise<void> }> {
  let connections = 0;
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => sockets.delete(socket));
    socket.write('220 elsewhere.example ESMTP\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    bytes: () => Buffer.concat(chunks).toString('latin1'),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function smtpTab(page: Page) {
  const panel = page.getByRole('tabpanel', { name: 'SMTP' });
  return {
    tab: page.getByRole('tab', { name: 'SMTP' }),
    panel,
    port: panel.getByRole('spinbutton', { name: 'Port', exact: true }),
    password: panel.getByLabel('Password', { exact: true }),
    testConnection: panel.getByRole('button', { name: 'Test connection' }),
    sendTestEmail: panel.getByRole('button', { name: 'Send test email', exact: true }),
    report: panel.getByRole('region', { name: 'Connection test' }),
    revert: page.getByRole('button', { name: 'Revert', exact: true }),
  };
}

test('an edited connection asks for the password again, next to the Password field', async ({ browser, mailroom, smtp }) => {
  const elsewhere = await listener();
  try {
    const base = defaultSettings();
    const settings: Settings = {
      ...base,
      general: { ...base.general, organisationName: 'Harbour Accounts Ltd', alertFrom: 'alerts@harbour.example', systemNotification: 'it-notices@harbour.example' },
      smtp: {
        profiles: [
          {
            ...newProfile('p-harbour', 'Harbour relay'),
            host: smtp.host,
            port: smtp.port,
            security: 'starttls-required',
            caFile: smtp.caFile,
            username: smtp.user,
            fromAddress: 'accounts@harbour.example',
            timeoutSeconds: 5,
          },
        ],
      },
    };
    await invoke(mailroom, 'settings:save', settings);
    await invoke(mailroom, 'secrets:set-profile-password', { profileId: 'p-harbour', password: smtp.password });

    const { context, page, pageErrors } = await openDialog(browser, mailroom, { height: 1000 });
    try {
      const ui = smtpTab(page);
      await ui.tab.click();
      await expect(ui.panel.getByText('A password is saved')).toBeVisible();

      // The port now points elsewhere; the password field is left as it is (saved, nothing typed).
      await ui.port.fill(String(elsewhere.port));
      await ui.testConnection.click();
      await expect(ui.password).toHaveAttribute('aria-invalid', 'true');
      await expect(ui.password).toHaveAccessibleDescription(new RegExp(PASSWORD_FOR_CHANGED_CONNECTION));
      await expect(ui.report).toContainText(PASSWORD_FOR_CHANGED_CONNECTION);
      // Shown right under the field, not somewhere else on the page.
      const message = ui.panel.getByText(PASSWORD_FOR_CHANGED_CONNECTION, { exact: true });
      const [fieldBox, messageBox] = [await ui.password.boundingBox(), await message.boundingBox()];
      expect(fieldBox && messageBox && messageBox.y > fieldBox.y && messageBox.y - (fieldBox.y + fieldBox.height) < 40).toBe(true);
      // A screenshot for a person to look at, only when asked (MAILROOM_SHOTS=1), into shots/.
      if (SHOTS) {
        await ui.password.scrollIntoViewIfNeeded();
        await page.mouse.move(1, 1);
        await page.screenshot({ path: shotPath('smtp-password-for-changed-connection.png') });
      }

      // Send test from the changed profile says the same, and the message stays by the field after closing.
      await ui.sendTestEmail.click();
      const sendDialog = page.getByRole('dialog', { name: 'Send test email' });
      await sendDialog.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(sendDialog.getByText(/Not sent/)).toBeVisible();
      await expect(sendDialog).toContainText(PASSWORD_FOR_CHANGED_CONNECTION);
      await sendDialog.getByRole('button', { name: 'Close' }).click();
      await expect(ui.password).toHaveAccessibleDescription(new RegExp(PASSWORD_FOR_CHANGED_CONNECTION));
      expect(elsewhere.connections(), 'nothing went to the other port').toBe(0);

      // Typing the password clears the message, and the test then goes where the profile points.
      await ui.password.fill('typed for the other server');
      await expect(ui.password).not.toHaveAttribute('aria-invalid', 'true');
      await ui.testConnection.click();
      await expect(ui.report.getByRole('status')).toContainText('Failed', { timeout: 20_000 });
      await expect.poll(() => elsewhere.connections()).toBeGreaterThan(0);
      expect(elsewhere.bytes()).not.toContain(smtp.password);
      expect(elsewhere.bytes()).not.toContain(Buffer.from(smtp.password).toString('base64'));

      // Revert: the saved profile tests with its saved password, nothing typed.
      await ui.revert.click();
      await expect(ui.port).toHaveValue(String(smtp.port));
      await ui.testConnection.click();
      await expect(ui.report.getByRole('status')).toContainText('Passed', { timeout: 20_000 });
      expect(pageErrors, 'uncaught errors in the page').toEqual([]);
    } finally {
      await context.close();
    }
  } finally {
    await elsewhere.close();
  }
});
