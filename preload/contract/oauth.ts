// OAuth2 sign-in as the dialog and the CLI see it: who is signed in for a profile, until when,
// and the sign-in under way. Tokens themselves never cross the bridge.
import { z } from 'zod';
import { Advice } from './smtp';

export const OAuthStatus = z.object({
  profileId: z.string(),
  signedIn: z.boolean(),
  /** The signed-in account's user name (UPN), e.g. accounts@contoso.com. */
  account: z.string().optional(),
  /** The account's display name, when the identity provider gave one. */
  displayName: z.string().optional(),
  /** The directory (tenant) the account signed in to. */
  tenantId: z.string().optional(),
  /** When the current access token expires, ISO 8601; null when none is held (one is fetched before sending). */
  expiresAt: z.string().nullable(),
  /** The permissions the current access token carries. */
  scopes: z.array(z.string()),
  /** Why the profile is not signed in although it was, in words for the admin (an unreadable cache, another app registration). */
  problem: z.string().optional(),
});
export type OAuthStatus = z.infer<typeof OAuthStatus>;

export const SIGN_IN_METHODS = ['browser', 'device-code'] as const;
export const SignInMethod = z.enum(SIGN_IN_METHODS);
export type SignInMethod = z.infer<typeof SignInMethod>;

export const DeviceCodePrompt = z.object({
  userCode: z.string(),
  verificationUri: z.string(),
  /** The identity provider's own instruction. */
  message: z.string(),
  expiresAt: z.string(),
});
export type DeviceCodePrompt = z.infer<typeof DeviceCodePrompt>;

/** A sign-in under way: wait for it with its id, or cancel it. */
export const SignInFlow = z.object({
  flowId: z.string(),
  profileId: z.string(),
  method: SignInMethod,
  /** Browser sign-in: the address opened in the system browser, to open by hand if it did not appear. */
  authUrl: z.string().optional(),
  /** Device-code sign-in: the code to enter and where. */
  deviceCode: DeviceCodePrompt.optional(),
});
export type SignInFlow = z.infer<typeof SignInFlow>;

/** How a sign-in ended: signed in, or the advice for what went wrong (consent, tenant, cancelled…). */
export const SignInOutcome = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), status: OAuthStatus }),
  z.object({ ok: z.literal(false), advice: Advice }),
]);
export type SignInOutcome = z.infer<typeof SignInOutcome>;
