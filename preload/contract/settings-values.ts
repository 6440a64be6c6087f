// The settings document's plain values: its version, the log levels, and what a fresh install
// starts with. No zod here: the dialog's first paint uses these before the schemas have loaded.
// The schemas that check each value are in settings.ts, smtp.ts and mail-options.ts.
import type { MailOptions } from './mail-options';
import type { Settings } from './settings';

export const SETTINGS_VERSION = 5;

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

/**
 * What a fresh install starts with. Required fields are empty on purpose: they are the
 * admin's to fill, and a save is refused until they are.
 */
export function defaultSettings(): Settings {
  return {
    version: SETTINGS_VERSION,
    general: {
      organisationName: '',
      alertFrom: '',
      systemNotification: '',
      bouncedAlerts: '',
      debug: { enabled: false, path: '', level: 'info', retentionDays: 14 },
      defaultProfile: '',
    },
    smtp: { profiles: [] },
    outbox: { retryForHours: 48 },
    mail: defaultMailOptions(),
    users: [],
  };
}

/** How a fresh install composes and sends: the built-in mailer and SMTP, chosen for everyone. */
export function defaultMailOptions(): MailOptions {
  return { allowM365Web: false, compose: 'builtin', composeUserSelectable: false, send: 'smtp', sendUserSelectable: false };
}
