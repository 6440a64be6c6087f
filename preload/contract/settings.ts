// The settings document: one schema, shared by main (which enforces it) and the renderer (which shows its errors).
import { z } from 'zod';
import { optionalMailbox } from './mailbox';
import type { FieldError } from './result';

export const SETTINGS_VERSION = 1;

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
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
});
export type GeneralSettings = z.infer<typeof GeneralSettings>;

/**
 * Every value well formed. Required fields may still be empty here: that is a fresh install, or
 * one being set up a field at a time from the command line. See CompleteSettings.
 */
export const Settings = z.strictObject({
  version: z.literal(SETTINGS_VERSION, { error: `Expected settings version ${SETTINGS_VERSION}` }),
  general: GeneralSettings,
});
export type Settings = z.infer<typeof Settings>;

/** What the dialog's Save and an import must produce: well formed, and every required field filled. */
export const CompleteSettings = Settings.superRefine((settings, ctx) => {
  for (const issue of missingRequired(settings)) {
    ctx.addIssue({ code: 'custom', path: issue.path.split('.'), message: issue.message });
  }
});

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
    },
  };
}

interface RequiredRule {
  path: string;
  get(settings: Settings): string;
  /** Whether the field is required in this state of the settings; always when absent. */
  when?(settings: Settings): boolean;
  message?: string;
}

const REQUIRED: readonly RequiredRule[] = [
  { path: 'general.organisationName', get: (s) => s.general.organisationName },
  { path: 'general.alertFrom', get: (s) => s.general.alertFrom },
  {
    path: 'general.debug.path',
    get: (s) => s.general.debug.path,
    when: (s) => s.general.debug.enabled,
    message: 'Required while debug logging is on',
  },
];

/** Fields a save cannot do without, by dot path; the UI marks them with the red left border. */
export function isRequired(path: string, settings: Settings): boolean {
  const rule = REQUIRED.find((r) => r.path === path);
  return rule !== undefined && (rule.when?.(settings) ?? true);
}

/** The required fields that are still empty. */
export function missingRequired(settings: Settings): FieldError[] {
  return REQUIRED.filter((r) => (r.when?.(settings) ?? true) && r.get(settings).trim() === '').map((r) => ({
    path: r.path,
    message: r.message ?? 'Required',
  }));
}
