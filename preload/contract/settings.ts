// The settings document: one schema, shared by main (which enforces it) and the renderer (which shows its errors).
import { z } from 'zod';
import { optionalMailbox } from './mailbox';
import { SmtpProfile } from './smtp';
import { MailOptions, SystemUser } from './mail-options';
import { missingRequired } from './required';
import { LOG_LEVELS, SETTINGS_VERSION } from './settings-values';

export const LogLevel = z.enum(LOG_LEVELS, { error: `Choose one of: ${LOG_LEVELS.join(', ')}` });
export type LogLevel = z.infer<typeof LogLevel>;

// A folder on this machine or a network share: /var/log/x, C:\Logs, \\server\share\logs.
const ABSOLUTE_FOLDER = /^(?:\/|[A-Za-z]:[\\/]|\\\\[^\\/]+[\\/][^\\/]+)/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export const folderPath = z
  .string()
  .trim()
  .max(1024, 'Use a path of at most 1024 characters')
  .refine((v) => !CONTROL_CHARS.test(v), { message: 'The path contains a control character' })
  .refine((v) => v === '' || ABSOLUTE_FOLDER.test(v), {
    message: 'Enter a full folder path, like C:\\MailLogs or \\\\server\\share\\logs',
  });

export const DebugSettings = z.strictObject({
  enabled: z.boolean({ error: 'Expected true or false' }),
  path: folderPath,
  level: LogLevel,
  retentionDays: z
    .number({ error: 'Enter a number of days' })
    .int('Enter a whole number of days')
    .min(1, 'Keep logs for at least 1 day')
    .max(3650, 'Keep logs for at most 3650 days'),
});
export type DebugSettings = z.infer<typeof DebugSettings>;

export const GeneralSettings = z.strictObject({
  organisationName: z
    .string({ error: 'Expected text' })
    .trim()
    .max(120, 'Use at most 120 characters')
    .refine((v) => !CONTROL_CHARS.test(v), { message: 'The name contains a control character' }),
  alertFrom: optionalMailbox,
  systemNotification: optionalMailbox,
  bouncedAlerts: optionalMailbox,
  debug: DebugSettings,
  /** Id of the profile used when a sender does not name one; empty for none. */
  defaultProfile: z.string({ error: 'Expected a profile id' }).max(64),
});
export type GeneralSettings = z.infer<typeof GeneralSettings>;

/**
 * Every value well formed. Required fields may still be empty here: that is a fresh install, or
 * one being set up a field at a time from the command line. See CompleteSettings.
 */
export const SmtpSettings = z.strictObject({
  profiles: z.array(SmtpProfile).max(200, 'At most 200 server profiles'),
});
export type SmtpSettings = z.infer<typeof SmtpSettings>;

export const OutboxSettings = z.strictObject({
  /** How long a message that fails for a temporary reason keeps being retried before it is failed. */
  retryForHours: z.number({ error: 'Enter a number of hours' }).min(0.1, 'Retry for at least 0.1 hours').max(720, 'Retry for at most 720 hours (30 days)'),
});
export type OutboxSettings = z.infer<typeof OutboxSettings>;

export const Settings = z
  .strictObject({
    version: z.literal(SETTINGS_VERSION, { error: `Expected settings version ${SETTINGS_VERSION}` }),
    general: GeneralSettings,
    smtp: SmtpSettings,
    outbox: OutboxSettings,
    /** How single emails are composed and sent (the Email tab). */
    mail: MailOptions,
    /** The system users (the Users tab). */
    users: z.array(SystemUser).max(1000, 'At most 1000 users'),
  })
  .superRefine((settings, ctx) => {
    const accounts = new Map<string, number>();
    const userIds = new Set<string>();
    settings.users.forEach((user, i) => {
      const key = user.account.trim().toLowerCase();
      if (accounts.has(key)) ctx.addIssue({ code: 'custom', path: ['users', i, 'account'], message: `Another user already signs in as "${user.account}"` });
      else accounts.set(key, i);
      if (userIds.has(user.id)) ctx.addIssue({ code: 'custom', path: ['users', i, 'id'], message: 'Two users share one id' });
      userIds.add(user.id);
    });
    if (settings.users.length > 0 && !settings.users.some((u) => u.admin)) {
      ctx.addIssue({ code: 'custom', path: ['users'], message: 'Keep at least one administrator, or nobody could change the settings' });
    }
    const names = new Map<string, number>();
    const ids = new Set<string>();
    settings.smtp.profiles.forEach((profile, i) => {
      const key = profile.name.trim().toLowerCase();
      if (key !== '') {
        if (names.has(key)) ctx.addIssue({ code: 'custom', path: ['smtp', 'profiles', i, 'name'], message: `Another profile is already called "${profile.name}"` });
        else names.set(key, i);
      }
      if (ids.has(profile.id)) ctx.addIssue({ code: 'custom', path: ['smtp', 'profiles', i, 'id'], message: 'Two profiles share one id' });
      ids.add(profile.id);
    });
    const chosen = settings.general.defaultProfile;
    if (chosen !== '' && !ids.has(chosen)) {
      ctx.addIssue({ code: 'custom', path: ['general', 'defaultProfile'], message: 'Choose one of the server profiles' });
    }
  });
export type Settings = z.infer<typeof Settings>;

/** What the dialog's Save and an import must produce: well formed, and every required field filled. */
export const CompleteSettings = Settings.superRefine((settings, ctx) => {
  for (const issue of missingRequired(settings)) {
    ctx.addIssue({ code: 'custom', path: issue.path.split('.'), message: issue.message });
  }
});

/**
 * The first server profile saved becomes the default profile: when the settings saved so far had
 * no profiles and the new ones have some but name no default, the first is made the default, so
 * that testing and sending without naming a profile work once the first one is set up. Returns the
 * settings to save, and the profile that was made the default, if one was.
 */
export function withFirstProfileAsDefault(before: { smtp: { profiles: readonly unknown[] } } | null, after: Settings): { settings: Settings; madeDefault?: SmtpProfile } {
  const first = after.smtp.profiles[0];
  if (!before || before.smtp.profiles.length > 0 || !first || after.general.defaultProfile !== '') return { settings: after };
  return { settings: { ...after, general: { ...after.general, defaultProfile: first.id } }, madeDefault: first };
}

