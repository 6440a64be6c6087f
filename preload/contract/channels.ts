// Every request the renderer may make of main, defined once: name, input schema, output schema.
// Main validates inputs against these (authoritatively); the renderer gets its types from them.
import { z } from 'zod';
import { Settings, folderPath } from './settings';
import { SettingsRevision } from './events';
import { mailbox } from './mailbox';
import { Diagnosis, PasswordInput, PROFILE_ID_RE, SendOutcome, SmtpProfile } from './smtp';
import { OutboxEntry, OutboxState, OutboxView } from './outbox';
import { OAuthStatus, SignInFlow, SignInMethod, SignInOutcome } from './oauth';
import { ComposeMode, SendMode, SystemUser, USER_ID_RE } from './mail-options';
import { ComposeResult, DRAFT_ID_RE, Draft, DraftSummary, MailSendInput, MailSendResult, SavedDraft } from './compose';
import { OutgoingMessage } from './smtp';
import { DetectInput, Detection } from './detect';
import { PolicyView } from './policy';

export const Shell = z.enum(['electron', 'browser']);
export type Shell = z.infer<typeof Shell>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  shell: Shell,
  platform: z.string(),
  dataDir: z.string(),
  /** Where the settings live: the settings file, or the office database. */
  settingsFile: z.string(),
  /** Office mode: the database (role@host:port/name), the role signed in and whether it is an administrator. */
  office: z.object({ database: z.string(), role: z.string(), admin: z.boolean() }).optional(),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** The office's sender services seen in the last minute (office mode only). */
export const SendersStatus = z.object({
  senders: z.array(z.object({ role: z.string(), instance: z.string(), host: z.string(), startedAt: z.string(), seenAt: z.string() })),
});
export type SendersStatus = z.infer<typeof SendersStatus>;

/** The office database set on the General tab, and where this running Mailroom keeps its settings. */
export const OfficeLinkStatus = z.object({
  url: z.string(),
  passwordSet: z.boolean(),
  inUse: z.enum(['file', 'office']),
  /** MAILROOM_DATABASE_URL is set and wins over the saved address. */
  fromEnvironment: z.boolean(),
});
export type OfficeLinkStatus = z.infer<typeof OfficeLinkStatus>;

export const Notice = z.object({
  id: z.string(),
  level: z.enum(['info', 'warning', 'error']),
  title: z.string(),
  message: z.string(),
  createdAt: z.string(),
});
export type Notice = z.infer<typeof Notice>;

const none = z.undefined();

/** Who is using Mailroom, and what follows from it. */
export const WhoAmI = z.object({
  /** The OS account, e.g. CONTOSO\\alice. */
  account: z.string(),
  /** The system user that account maps to, if any. */
  user: SystemUser.optional(),
  /** Whether this user may change system settings (every user while none are defined). */
  admin: z.boolean(),
  /** The compose and send modes in force for this user, and whose choice each is. */
  modes: z.object({ compose: ComposeMode, send: SendMode, composeFrom: z.enum(['user', 'system']), sendFrom: z.enum(['user', 'system']) }),
});
export type WhoAmI = z.infer<typeof WhoAmI>;

export const SecretStatus = z.object({
  /** Whether a password is saved, by profile id. The passwords themselves never cross the bridge. */
  profilePasswords: z.record(z.string(), z.boolean()),
  /** Whether each system user's own SMTP password is saved, by user id. */
  userPasswords: z.record(z.string(), z.boolean()),
});
export type SecretStatus = z.infer<typeof SecretStatus>;

export const DebugStatus = z.object({
  /** Whether debug logging is on in the saved settings. */
  enabled: z.boolean(),
  /** The debug folder as saved, or as typed when a check was given one. */
  path: z.string(),
  /** False once writing there has failed (or the last check failed); true until then. */
  writable: z.boolean(),
  /** Why the folder cannot be written, in words for the admin. */
  error: z.string().optional(),
  /** When writability was last learnt (a check or a write), ISO 8601; absent if never tried. */
  lastCheckedAt: z.string().optional(),
  /** The folder does not exist, as typed or as saved: it is created only when the admin agrees (a check asked to create it), never by logging. */
  missing: z.boolean().optional(),
});
export type DebugStatus = z.infer<typeof DebugStatus>;

export const SettingsWithRevision = z.object({ settings: Settings, revision: SettingsRevision });

/**
 * Everything the dialog's first paint needs, in one answer: what app:get-info, app:whoami,
 * settings:get-with-revision, app:list-notices, secrets:status and policy:show would each say.
 */
export const StartUp = z.object({ info: AppInfo, whoami: WhoAmI, settings: SettingsWithRevision, notices: z.array(Notice), secrets: SecretStatus, policy: PolicyView });
export type StartUp = z.infer<typeof StartUp>;
export type SettingsWithRevision = z.infer<typeof SettingsWithRevision>;

export const channels = {
  'app:get-info': { input: none, output: AppInfo },
  'app:start-up': { input: none, output: StartUp },
  'app:list-notices': { input: none, output: z.array(Notice) },
  'app:dismiss-notice': { input: z.strictObject({ id: z.string().min(1).max(200) }), output: z.array(Notice) },
  'app:whoami': { input: none, output: WhoAmI },
  /** Office mode: the sender services seen lately; `unavailable` in file mode, where this process sends. */
  'office:senders': { input: none, output: SendersStatus },
  'office:link-status': { input: none, output: OfficeLinkStatus },
  /** Checks the address and password by signing in, then saves them for the next start; the password is write-only. */
  'office:link-save': {
    input: z.strictObject({ url: z.string().max(2000), password: z.string().max(1000).optional() }),
    output: z.object({ role: z.string(), admin: z.boolean(), database: z.string() }),
  },
  'office:link-clear': { input: none, output: OfficeLinkStatus },
  /** The machine policy in force: the places looked at, the settings it locks and where, and what was ignored. */
  'policy:show': { input: none, output: PolicyView },
  'settings:get': { input: none, output: Settings },
  'settings:save': { input: Settings, output: Settings },
  /** The saved settings with their revision, for a draft that will be saved with settings:save-if-unchanged. */
  'settings:get-with-revision': { input: none, output: SettingsWithRevision },
  /** Saves like settings:save, but only over the revision the draft was based on; otherwise refused with code conflict. */
  'settings:save-if-unchanged': { input: z.strictObject({ settings: Settings, baseRevision: SettingsRevision }), output: SettingsWithRevision },
  'secrets:status': { input: none, output: SecretStatus },
  'secrets:set-profile-password': {
    input: z.strictObject({ profileId: z.string().regex(PROFILE_ID_RE), password: z.string().max(1024, 'Use a password of at most 1024 characters').nullable() }),
    output: SecretStatus,
  },
  /** The current user's own choices and SMTP username; allowed for every system user, within what the admin allows. */
  'users:set-own': {
    input: z.strictObject({ compose: ComposeMode.nullable().optional(), send: SendMode.nullable().optional(), smtpUsername: z.string().max(256).optional() }),
    output: SystemUser,
  },
  /** A system user's own SMTP password: an admin for anyone, a user for themselves. Write-only. */
  'users:set-password': {
    input: z.strictObject({ userId: z.string().regex(USER_ID_RE), password: z.string().max(1024, 'Use a password of at most 1024 characters').nullable() }),
    output: SecretStatus,
  },
  'smtp:test-connection': {
    input: z.strictObject({ profile: SmtpProfile, password: PasswordInput, ping: z.boolean().optional() }),
    output: Diagnosis,
  },
  'smtp:send-test': {
    input: z.strictObject({ profile: SmtpProfile, password: PasswordInput, to: mailbox }),
    output: SendOutcome,
  },
  /** Proposes a server profile's connection for an email address (built-in table, autoconfig, DNS); saves nothing. */
  'smtp:detect': { input: DetectInput, output: Detection },
  /** Who is signed in, for the saved OAuth2 profiles, or for the profiles given (as they stand in the dialog). */
  'oauth:status': {
    input: z.strictObject({ profiles: z.array(SmtpProfile).max(200, 'At most 200 profiles') }).optional(),
    output: z.record(z.string(), OAuthStatus),
  },
  /** Starts signing in for the profile as it stands in the dialog; the account is kept under the profile's id. */
  'oauth:sign-in-start': { input: z.strictObject({ profile: SmtpProfile, method: SignInMethod }), output: SignInFlow },
  /** Waits until the sign-in ends: the user finished in the browser, it failed, timed out or was cancelled. */
  'oauth:sign-in-wait': { input: z.strictObject({ flowId: z.string().uuid() }), output: SignInOutcome },
  'oauth:sign-in-cancel': { input: z.strictObject({ flowId: z.string().uuid() }), output: z.object({ cancelled: z.boolean() }) },
  'oauth:sign-out': { input: z.strictObject({ profileId: z.string().regex(PROFILE_ID_RE) }), output: OAuthStatus },
  /** Sends a message written in Mailroom: into the outbox, with the user's send mode; waits for the first attempt. */
  'mail:send': { input: MailSendInput, output: MailSendResult },
  /** Hands a message to the user's compose mode: the built-in mailer (the renderer opens it), or another mail client. */
  'mail:compose': { input: z.strictObject({ message: OutgoingMessage, profileId: z.union([z.literal(''), z.string().regex(PROFILE_ID_RE)]).optional() }), output: ComposeResult },
  'drafts:list': { input: none, output: z.array(DraftSummary) },
  'drafts:get': { input: z.strictObject({ id: z.string().regex(DRAFT_ID_RE) }), output: SavedDraft },
  'drafts:save': { input: z.strictObject({ draft: Draft }), output: DraftSummary },
  'drafts:delete': { input: z.strictObject({ id: z.string().regex(DRAFT_ID_RE) }), output: z.object({ deleted: z.boolean() }) },
  'outbox:list': {
    input: z.strictObject({ states: z.array(OutboxState).optional(), limit: z.number().int().min(1).max(5000).optional() }).optional(),
    output: OutboxView,
  },
  'outbox:retry': { input: z.strictObject({ id: z.string().uuid() }), output: OutboxEntry },
  'outbox:cancel': { input: z.strictObject({ id: z.string().uuid() }), output: OutboxEntry },
  'debug:open-folder': { input: none, output: z.object({ path: z.string() }) },
  'debug:status': { input: none, output: DebugStatus },
  /**
   * Tries the saved debug folder (created if needed), or the folder given as typed in the dialog:
   * that one is created only with create, after the user agreed; until then it is reported missing.
   */
  'debug:check': { input: z.strictObject({ path: folderPath, create: z.boolean().optional() }).optional(), output: DebugStatus },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export type Channels = typeof channels;
export type Channel = keyof Channels;
export type ChannelInput<C extends Channel> = z.input<Channels[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<Channels[C]['output']>;

export const CHANNEL_NAMES = Object.keys(channels) as Channel[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

/** Prefix of every IPC channel in the Electron shell; main refuses anything outside it. */
export const IPC_PREFIX = 'mailroom:';
