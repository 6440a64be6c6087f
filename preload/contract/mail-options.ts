// How single emails are composed and sent, system-wide and per user, and who the system users are.
// One function decides a user's effective modes; every path asks it.
import { z } from 'zod';
import { optionalMailbox } from './mailbox';

export const COMPOSE_MODES = ['builtin', 'outlook', 'full-mapi', 'simple-mapi', 'm365-web', 'autodetect'] as const;
export const ComposeMode = z.enum(COMPOSE_MODES, { error: `Choose one of: ${COMPOSE_MODES.join(', ')}` });
export type ComposeMode = z.infer<typeof ComposeMode>;

export const SEND_MODES = ['smtp', 'outlook', 'full-mapi', 'simple-mapi', 'm365-graph', 'autodetect'] as const;
export const SendMode = z.enum(SEND_MODES, { error: `Choose one of: ${SEND_MODES.join(', ')}` });
export type SendMode = z.infer<typeof SendMode>;

export const COMPOSE_LABELS: Readonly<Record<ComposeMode, string>> = {
  builtin: 'Built-in mailer',
  outlook: 'Outlook (classic)',
  'full-mapi': 'Full MAPI',
  'simple-mapi': 'Simple MAPI',
  'm365-web': 'Microsoft 365',
  autodetect: 'Autodetect',
};

export const SEND_LABELS: Readonly<Record<SendMode, string>> = {
  smtp: 'SMTP',
  outlook: 'Outlook (classic)',
  'full-mapi': 'Full MAPI',
  'simple-mapi': 'Simple MAPI',
  'm365-graph': 'Microsoft 365',
  autodetect: 'Autodetect',
};

/** Modes that talk to Outlook or a MAPI client: Windows only. */
export const WINDOWS_ONLY_MODES: readonly (ComposeMode | SendMode)[] = ['outlook', 'full-mapi', 'simple-mapi'];
/** Modes that need "Allow Microsoft 365 web". */
export const M365_MODES: readonly (ComposeMode | SendMode)[] = ['m365-web', 'm365-graph'];

/** Why a mode cannot be chosen here, or null when it can. */
export function modeUnavailable(mode: ComposeMode | SendMode, ctx: { platform: string; allowM365Web: boolean }): string | null {
  if (WINDOWS_ONLY_MODES.includes(mode) && ctx.platform !== 'win32') return 'Only on Windows, where Outlook and MAPI mail clients run';
  if (M365_MODES.includes(mode) && !ctx.allowM365Web) return 'Turn on Allow Microsoft 365 web first';
  return null;
}

export const MailOptions = z
  .strictObject({
    allowM365Web: z.boolean({ error: 'Expected true or false' }),
    compose: ComposeMode,
    composeUserSelectable: z.boolean({ error: 'Expected true or false' }),
    send: SendMode,
    sendUserSelectable: z.boolean({ error: 'Expected true or false' }),
  })
  .superRefine((o, ctx) => {
    if (!o.allowM365Web && o.compose === 'm365-web') ctx.addIssue({ code: 'custom', path: ['compose'], message: 'Turn on Allow Microsoft 365 web to compose in Microsoft 365' });
    if (!o.allowM365Web && o.send === 'm365-graph') ctx.addIssue({ code: 'custom', path: ['send'], message: 'Turn on Allow Microsoft 365 web to send with Microsoft 365' });
  });
export type MailOptions = z.infer<typeof MailOptions>;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
export const USER_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export const SystemUser = z.strictObject({
  id: z.string().regex(USER_ID_RE, 'Invalid user id'),
  /** The operating-system account this user signs in to the computer with (DOMAIN\\name or name). */
  account: z
    .string({ error: 'Expected text' })
    .trim()
    .min(1, 'Enter the Windows or computer sign-in name')
    .max(256, 'Use at most 256 characters')
    .refine((v) => !CONTROL_CHARS.test(v), { message: 'Use one line of text, without control characters' }),
  name: z
    .string({ error: 'Expected text' })
    .trim()
    .max(128, 'Use at most 128 characters')
    .refine((v) => !CONTROL_CHARS.test(v), { message: 'Use one line of text, without control characters' }),
  email: optionalMailbox,
  admin: z.boolean({ error: 'Expected true or false' }),
  /** The user's own SMTP username, for profiles whose credentials are each user's own. */
  smtpUsername: z
    .string({ error: 'Expected text' })
    .trim()
    .max(256, 'Use at most 256 characters')
    .refine((v) => !CONTROL_CHARS.test(v), { message: 'Use one line of text, without control characters' }),
  /** The user's own choice; null follows the system's. Used only where the admin allows selection. */
  compose: ComposeMode.nullable(),
  send: SendMode.nullable(),
});
export type SystemUser = z.infer<typeof SystemUser>;

export function newUser(id: string, account: string): SystemUser {
  return { id, account, name: '', email: '', admin: false, smtpUsername: '', compose: null, send: null };
}

export interface EffectiveModes {
  compose: ComposeMode;
  send: SendMode;
  /** Whose choice each is: the user's own (allowed and made) or the system's. */
  composeFrom: 'user' | 'system';
  sendFrom: 'user' | 'system';
}

/**
 * The compose and send modes in force for a user: the user's own choice where the admin allows
 * selection and the choice is still allowed (a Microsoft 365 choice needs Allow Microsoft 365 web),
 * otherwise the system's.
 */
export function effectiveModes(options: MailOptions, user: SystemUser | undefined): EffectiveModes {
  const allowed = (mode: ComposeMode | SendMode) => options.allowM365Web || !M365_MODES.includes(mode);
  const compose = options.composeUserSelectable && user?.compose && allowed(user.compose) ? user.compose : null;
  const send = options.sendUserSelectable && user?.send && allowed(user.send) ? user.send : null;
  return {
    compose: compose ?? options.compose,
    send: send ?? options.send,
    composeFrom: compose ? 'user' : 'system',
    sendFrom: send ? 'user' : 'system',
  };
}
