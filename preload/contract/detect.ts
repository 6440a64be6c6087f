// Server settings proposed from an email address (the SMTP tab's "Set up from an email address"
// and `mailroom profile detect`): each value with where it came from, and every lookup tried.
// Detection only proposes; what a proposal changes in a profile is detectedChange below, applied
// through the profile-edit rules like any other edit, and saved only by the user's Save.
import { z } from 'zod';
import { RECIPIENT_MAX_CHARS } from './mailbox';
import { AuthMode, AuthModel, OAuthProvider, SecurityMode, type SmtpProfile } from './smtp';

/** One proposed value and where it came from, in words ("built-in table: Gmail"). */
const sourced = <T extends z.ZodType>(value: T) => z.object({ value, source: z.string() });

export const DetectedSettings = z.object({
  /** The provider the settings belong to, when known: "Gmail", "Microsoft 365". */
  provider: z.string().optional(),
  host: sourced(z.string()),
  port: sourced(z.number().int().min(1).max(65535)),
  security: sourced(SecurityMode),
  auth: sourced(AuthMode),
  authModel: sourced(AuthModel),
  /** With OAuth2 only. */
  oauthProvider: sourced(OAuthProvider).optional(),
  /** With OAuth2 only: the Microsoft tenant the address belongs to. */
  tenant: sourced(z.string()).optional(),
  username: sourced(z.string()),
  /** What else the user must know: an app password, a program to run, another port that works. */
  notes: z.array(z.string()),
});
export type DetectedSettings = z.infer<typeof DetectedSettings>;

export const DETECT_METHODS = ['table', 'autoconfig', 'mx', 'srv'] as const;
export const DetectMethod = z.enum(DETECT_METHODS);
export type DetectMethod = z.infer<typeof DetectMethod>;

export const DETECT_OUTCOMES = ['found', 'not-found', 'failed', 'timed-out', 'not-needed'] as const;

export const DetectAttempt = z.object({
  method: DetectMethod,
  /** What was asked: the domain in the table, an autoconfig URL, a DNS name and record type. */
  target: z.string(),
  /** not-needed: stopped because an answer that ranks higher had already been found. */
  outcome: z.enum(DETECT_OUTCOMES),
  /** What it answered, or why it gave nothing. */
  detail: z.string(),
  durationMs: z.number(),
});
export type DetectAttempt = z.infer<typeof DetectAttempt>;

export const Detection = z.object({
  /** The address as understood (a display name dropped). */
  address: z.string(),
  domain: z.string(),
  /** null: nothing trustworthy was found; the attempts say why. */
  proposal: DetectedSettings.nullable(),
  /** Every lookup, in the order they rank: the table, autoconfig, MX, SRV. */
  tried: z.array(DetectAttempt),
  elapsedMs: z.number(),
});
export type Detection = z.infer<typeof Detection>;

/** The input of smtp:detect. The address itself is checked by the detection service (field "address"). */
export const DetectInput = z.strictObject({
  address: z.string({ error: 'Expected text' }).max(RECIPIENT_MAX_CHARS, `Use at most ${RECIPIENT_MAX_CHARS} characters`),
});

/**
 * The profile fields a proposal sets: the connection, signed in as the address with shared
 * credentials (the proposal is for that one mailbox), and the tenant for Microsoft's OAuth2; for a
 * new profile, the address as its From address too. Apply it with applyProfileEdit so that
 * whatever else the change implies follows as for any edit.
 */
export function detectedChange(proposal: DetectedSettings, options: { fromAddress?: string } = {}): Partial<SmtpProfile> {
  const change: Partial<SmtpProfile> = {
    host: proposal.host.value,
    port: proposal.port.value,
    security: proposal.security.value,
    auth: proposal.auth.value,
    authModel: proposal.authModel.value,
    username: proposal.username.value,
    credentials: 'shared',
    ...(options.fromAddress ? { fromAddress: options.fromAddress } : {}),
  };
  if (proposal.authModel.value === 'oauth2') {
    if (proposal.oauthProvider) change.oauthProvider = proposal.oauthProvider.value;
    if (proposal.tenant) change.tenant = proposal.tenant.value;
  }
  return change;
}
