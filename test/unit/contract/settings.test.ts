import { describe, expect, it } from 'vitest';
import {
  CompleteSettings,
  Settings,
  defaultSettings,
  fieldErrors,
  isMailbox,
  isRequired,
  missingRequired,
  type Settings as SettingsType,
} from '../../../preload/contract';

function filled(): SettingsType {
  const s = defaultSettings();
  s.general.organisationName = 'Acme Ltd';
  s.general.alertFrom = 'alerts@acme.example';
  return s;
}

describe('mailbox addresses', () => {
  it.each(['accounts@example.com', 'first.last+tag@sub.example.co.uk', "o'brien@example.ie", 'rechnung@müller.example'])('accepts %s', (addr) => {
    expect(isMailbox(addr)).toBe(true);
  });

  it.each([
    ['no at sign', 'accounts.example.com'],
    ['a display name', 'Accounts <accounts@example.com>'],
    ['two addresses', 'a@example.com, b@example.com'],
    ['a group', 'team: a@example.com;'],
    ['a comment', 'a(comment)@example.com'],
    ['CR/LF header injection', 'a@example.com\r\nBcc: victim@example.com'],
    ['a bare LF', 'a@example.com\nX: y'],
    ['spaces', 'accounts at example.com'],
    ['a domain without a dot', 'root@localhost'],
    ['a leading dot', '.a@example.com'],
    ['double dots', 'a..b@example.com'],
    ['over 254 characters', `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`],
  ])('refuses %s', (_why, addr) => {
    expect(isMailbox(addr)).toBe(false);
  });
});

describe('settings schema', () => {
  it('accepts the defaults as well formed but not complete', () => {
    expect(Settings.safeParse(defaultSettings()).success).toBe(true);
    const complete = CompleteSettings.safeParse(defaultSettings());
    expect(complete.success).toBe(false);
    expect(fieldErrors(complete.error!).map((f) => f.path).sort()).toEqual(['general.alertFrom', 'general.organisationName']);
  });

  it('accepts a filled document and trims surrounding spaces', () => {
    const s = filled();
    s.general.alertFrom = '  alerts@acme.example ';
    const parsed = CompleteSettings.parse(s);
    expect(parsed.general.alertFrom).toBe('alerts@acme.example');
  });

  it('names each bad field by its dot path', () => {
    const s = filled() as unknown as Record<string, Record<string, unknown>>;
    s.general!.bouncedAlerts = 'not an address';
    (s.general!.debug as Record<string, unknown>).retentionDays = 0;
    (s.general!.debug as Record<string, unknown>).level = 'chatty';
    const result = Settings.safeParse(s);
    expect(result.success).toBe(false);
    const paths = Object.fromEntries(fieldErrors(result.error!).map((f) => [f.path, f.message]));
    expect(paths).toEqual({
      'general.bouncedAlerts': 'Enter one email address, like accounts@example.com',
      'general.debug.retentionDays': 'Keep logs for at least 1 day',
      'general.debug.level': 'Choose one of: error, warn, info, debug',
    });
  });

  it('reports an unknown field by its own path', () => {
    const s = { ...filled(), general: { ...filled().general, organisationNmae: 'typo' } };
    const result = Settings.safeParse(s);
    expect(fieldErrors(result.error!)).toEqual([{ path: 'general.organisationNmae', message: 'Unknown field' }]);
  });

  it('refuses a debug folder that is not a full path, and accepts Windows, UNC and POSIX ones', () => {
    for (const good of ['C:\\MailLogs', '\\\\server\\share\\logs', '/var/log/mailroom', 'D:/logs']) {
      const s = filled();
      s.general.debug.path = good;
      expect(Settings.safeParse(s).success, good).toBe(true);
    }
    for (const bad of ['logs', '.\\logs', 'C:logs', '/var/log\nx']) {
      const s = filled();
      s.general.debug.path = bad;
      expect(Settings.safeParse(s).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('requires the debug folder only while debug logging is on', () => {
    const s = filled();
    expect(isRequired('general.debug.path', s)).toBe(false);
    expect(CompleteSettings.safeParse(s).success).toBe(true);
    s.general.debug.enabled = true;
    expect(isRequired('general.debug.path', s)).toBe(true);
    expect(missingRequired(s)).toEqual([{ path: 'general.debug.path', message: 'Required while debug logging is on' }]);
    s.general.debug.path = '/var/log/mailroom';
    expect(CompleteSettings.safeParse(s).success).toBe(true);
  });

  it('refuses a name with control characters and a wrong version', () => {
    const s = filled();
    s.general.organisationName = 'Acme\u0007';
    expect(Settings.safeParse(s).success).toBe(false);
    expect(Settings.safeParse({ ...filled(), version: 6 }).success).toBe(false);
  });
});
