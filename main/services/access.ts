// Who may do what: the one gate every channel and every CLI command that changes something asks,
// so the rule and its wording exist once. Plain data in, a Result out; nothing here reads files.
import { fail, ok, type Result, type SystemUser } from '../../preload/contract';

export interface Identity {
  account: string;
  user?: SystemUser;
  admin: boolean;
  /** Why nobody may change the settings now (they were damaged after users had been defined). */
  readOnly?: string;
  /** What the account signed in to, for messages: this computer (file mode) or the office database. */
  signedInTo?: 'computer' | 'office';
}

/** What a caller asks to do, named for what it does. */
export type Action =
  /** Replace or change system settings: the dialog's Save, settings set, profile set/remove. */
  | { kind: 'settings.change' }
  /**
   * Replace the settings from a saved copy. While they are locked after damage, the settings service
   * lets anyone the copy names as an administrator bring it back, so the gate lets that through to it.
   */
  | { kind: 'settings.import' }
  | { kind: 'profile.password.set' }
  /**
   * Propose a profile's connection from an email address. It changes nothing, but it only serves
   * setting up a profile, which only an administrator may do; and it makes network requests for
   * whatever domain it is given, which the others have no reason to ask of Mailroom.
   */
  | { kind: 'profile.detect' }
  | { kind: 'oauth.sign-in' }
  | { kind: 'oauth.sign-out' }
  /** Change one's own choices and SMTP username, within what the administrator allows. */
  | { kind: 'user.own.change' }
  | { kind: 'user.password.set'; userId: string }
  /** Anyone who may send may put their message back in the queue or take it out. */
  | { kind: 'outbox.retry' }
  | { kind: 'outbox.cancel' };

export type ActionKind = Action['kind'];

/** The words every refusal to a non-administrator uses, wherever it is asked. */
export function notAdministratorMessage(who: Identity): string {
  const where = who.signedInTo === 'office' ? 'the office database' : 'this computer';
  return `Only an administrator can change system settings. You are signed in to ${where} as ${who.account}${who.user ? ', who is not an administrator' : ', who is not one of the system users'}.`;
}

function adminOnly(who: Identity): Result<void> {
  if (who.admin) return ok(undefined);
  // Locked settings: nobody is an administrator, and the reason says how to get out of it.
  if (who.readOnly) return fail('forbidden', who.readOnly);
  return fail('forbidden', notAdministratorMessage(who));
}

export function authorize(who: Identity, action: Action | ActionKind): Result<void> {
  const act: Action = typeof action === 'string' ? ({ kind: action } as Action) : action;
  switch (act.kind) {
    case 'settings.change':
    case 'profile.password.set':
    case 'profile.detect':
    case 'oauth.sign-in':
    case 'oauth.sign-out':
      return adminOnly(who);
    case 'settings.import':
      return who.readOnly ? ok(undefined) : adminOnly(who);
    case 'user.own.change':
      if (!who.user) return fail('forbidden', `${who.account} is not one of the system users; an administrator can add you on the Users tab.`);
      return ok(undefined);
    case 'user.password.set':
      if (who.admin || who.user?.id === act.userId) return ok(undefined);
      return fail('forbidden', "Only an administrator can set another user's password.");
    case 'outbox.retry':
    case 'outbox.cancel':
      return ok(undefined);
    default:
      return assertNever(act);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unknown action ${JSON.stringify(value)}`);
}
