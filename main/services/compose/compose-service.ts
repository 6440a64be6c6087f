// Sending and composing a single message the way the current user's modes say: the one place
// that turns "Send with" and "Compose with" into an action. Every path (the built-in mailer,
// the CLI, the host application) comes through here.
import {
  COMPOSE_LABELS,
  SEND_LABELS,
  effectiveModes,
  fail,
  ok,
  type ComposeMode,
  type ComposeResult,
  type MailSendResult,
  type OutgoingMessage,
  type Result,
  type SendMode,
  type SystemUser,
  type SmtpProfile,
} from '../../../preload/contract';
import type { MessageQueue } from '../outbox/message-queue';
import type { SettingsStore } from '../settings/settings-store';
import type { DraftStore } from './drafts';
import type { MailService } from '../mail/mail-service';
import { composeMessage } from '../mail/compose';
import { GraphError } from '../mail/graph';

/**
 * Hands a message to another mail client; the value says what happened ("Handed to Outlook…").
 * Provided per platform; 'unavailable' when this platform has no such client.
 */
export type HandOff = (
  message: OutgoingMessage,
  request: { mode: ComposeMode | SendMode; action: 'compose' | 'send'; profile?: SmtpProfile },
) => Promise<Result<string>>;

export interface ComposeServiceDeps {
  settings: SettingsStore;
  outbox: Pick<MessageQueue, 'sendNow'>;
  drafts: DraftStore;
  identity(): { account: string; user?: SystemUser };
  handOff: HandOff;
  platform: NodeJS.Platform;
  mail: MailService;
  /** Opens a web address in the system browser. */
  openUrl(url: string): Promise<Result<string>>;
}

export class ComposeService {
  constructor(private readonly deps: ComposeServiceDeps) {}

  /** The profile a message goes out with: the one named, else the default. */
  profileFor(profileId: string | undefined): Result<SmtpProfile> {
    const settings = this.deps.settings.read();
    const id = profileId || settings.general.defaultProfile;
    if (!id) {
      return fail('invalid-input', 'Choose a server profile: there is no default profile (General tab).', [{ path: 'profileId', message: 'Required: there is no default profile' }]);
    }
    const profile = settings.smtp.profiles.find((p) => p.id === id);
    return profile ? ok(profile) : fail('not-found', 'That server profile no longer exists', [{ path: 'profileId', message: 'No such profile' }]);
  }

  /** Sends with the user's send mode; SMTP and Microsoft 365 go through the outbox. */
  async send(input: { profileId?: string; message: OutgoingMessage; draftId?: string }): Promise<Result<MailSendResult>> {
    const modes = effectiveModes(this.deps.settings.read().mail, this.deps.identity().user);
    const mode = modes.send === 'autodetect' ? this.autodetectSend() : modes.send;
    const picked = this.profileFor(input.profileId);
    if (mode === 'smtp' || mode === 'm365-graph') {
      if (!picked.ok) return picked;
      const profile = picked.value;
      if (mode === 'm365-graph' && !(profile.authModel === 'oauth2' && profile.sendMethod === 'graph')) {
        return fail(
          'invalid-input',
          `Send with is ${SEND_LABELS['m365-graph']}, but the profile "${profile.name}" does not send through Microsoft Graph. Choose a profile that signs in with Microsoft 365 and sends through the Graph API.`,
          [{ path: 'profileId', message: 'Not a Microsoft 365 (Graph) profile' }],
        );
      }
      const sent = await this.deps.outbox.sendNow(profile, input.message, 'message');
      if (!sent.ok) return sent;
      const { entry, outcome } = sent.value;
      // Safe in the outbox now: the draft has done its job.
      if (input.draftId) this.deps.drafts.delete(input.draftId);
      return ok({ via: 'outbox', entry, outcome });
    }
    // Outlook and MAPI send it themselves, from the user's own mailbox.
    const result = await this.deps.handOff(input.message, { mode, action: 'send', ...(picked.ok ? { profile: picked.value } : {}) });
    if (!result.ok) return fail(result.error.code, `${SEND_LABELS[mode]} could not send the message: ${result.error.message}`, result.error.fields);
    if (input.draftId) this.deps.drafts.delete(input.draftId);
    return ok({ via: 'client', mode, detail: result.value });
  }

  /** Hands the message to the user's compose mode; the built-in mailer is opened by the renderer. */
  async compose(input: { profileId?: string; message: OutgoingMessage }): Promise<Result<ComposeResult>> {
    const modes = effectiveModes(this.deps.settings.read().mail, this.deps.identity().user);
    const from = modes.composeFrom === 'user' ? 'your own choice' : 'the system setting';
    if (modes.compose === 'builtin') return ok({ kind: 'builtin', mode: 'builtin', reason: `Compose with is ${COMPOSE_LABELS.builtin} (${from})` });
    const picked = input.profileId || this.deps.settings.read().general.defaultProfile ? this.profileFor(input.profileId) : undefined;
    if (modes.compose === 'm365-web') {
      const opened = await this.microsoft365Draft(input.message, picked?.ok ? picked.value : undefined);
      return opened.ok ? ok({ kind: 'handed-off', mode: 'm365-web', detail: opened.value }) : opened;
    }
    const result = await this.deps.handOff(input.message, { mode: modes.compose, action: 'compose', ...(picked?.ok ? { profile: picked.value } : {}) });
    if (!result.ok) return result;
    return ok({ kind: 'handed-off', mode: modes.compose, detail: result.value });
  }

  /**
   * Compose from outside the dialog (the command line): as compose, but the built-in mailer, which
   * has no window to open here, keeps the message as a draft to finish in Mailroom.
   */
  async composeOrDraft(input: { profileId?: string; message: OutgoingMessage }): Promise<Result<{ mode: ComposeMode; detail: string; draftId?: string; from: 'user' | 'system' }>> {
    const composed = await this.compose(input);
    if (!composed.ok) return composed;
    const from = effectiveModes(this.deps.settings.read().mail, this.deps.identity().user).composeFrom;
    if (composed.value.kind !== 'builtin') return ok({ mode: composed.value.mode, detail: composed.value.detail, from });
    const { message } = input;
    const draft = this.deps.drafts.save({
      profileId: input.profileId ?? '',
      to: message.to,
      cc: message.cc,
      bcc: message.bcc,
      subject: message.subject,
      html: message.html ?? textAsHtml(message.text ?? ''),
      attachments: message.attachments,
    });
    return ok({ mode: 'builtin', detail: `Compose with is ${COMPOSE_LABELS.builtin}: saved as a draft (${draft.id}). Open it in Mailroom: New email > Drafts.`, draftId: draft.id, from });
  }

  /**
   * Microsoft 365 on the web: the message becomes a draft in the user's mailbox through Graph, and
   * Outlook on the web opens it in the system browser for a last look before sending.
   */
  private async microsoft365Draft(message: OutgoingMessage, preferred: SmtpProfile | undefined): Promise<Result<string>> {
    const profiles = this.deps.settings.read().smtp.profiles;
    const profile = preferred?.authModel === 'oauth2' ? preferred : profiles.find((p) => p.authModel === 'oauth2');
    if (!profile) {
      return fail('invalid-input', 'Composing in Microsoft 365 needs a server profile that signs in with Microsoft 365 (OAuth2). Add one on the SMTP tab and sign in.', [
        { path: 'profileId', message: 'No Microsoft 365 (OAuth2) profile' },
      ]);
    }
    // Drafts need the Graph permissions (Mail.ReadWrite), whatever the profile sends through.
    const graphProfile: SmtpProfile = { ...profile, sendMethod: 'graph' };
    const connected = await this.deps.mail.connect(graphProfile);
    if (!connected.ok) {
      const { advice } = connected.error;
      return fail(connected.error.code, advice ? `${advice.title}. ${advice.fix}` : connected.error.message, connected.error.fields, { ...(advice ? { advice } : {}) });
    }
    const token = connected.value.token!;
    const composed = await composeMessage(profile, message);
    try {
      const draft = await this.deps.mail.graph(token).createDraft({ raw: composed.raw, envelopeTo: composed.envelope.to, messageId: composed.messageId });
      if (!/^https:\/\//.test(draft.webLink)) return fail('io-error', 'Microsoft 365 saved the draft but gave no address to open it; find it in the Drafts folder.');
      const opened = await this.deps.openUrl(draft.webLink);
      if (!opened.ok) return fail(opened.error.code, `The draft is in your Drafts folder, but the browser could not be opened (${opened.error.message}). Open Outlook on the web to finish it.`);
      return ok(`Opened in Outlook on the web as a draft of ${token.account}`);
    } catch (error) {
      if (error instanceof GraphError) return fail('io-error', `${error.advice.title}. ${error.advice.cause} ${error.advice.fix}`);
      throw error;
    }
  }

  private autodetectSend(): SendMode {
    // Sending needs no mail client: Mailroom's own outbox is the dependable choice on every
    // platform; Outlook and MAPI send only when chosen explicitly.
    return 'smtp';
  }
}

/** Plain text as the built-in mailer's HTML: escaped, one paragraph, line breaks kept. */
function textAsHtml(text: string): string {
  const html = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return html === '' ? '' : `<p>${html.replace(/\r?\n/g, '<br>')}</p>`;
}
