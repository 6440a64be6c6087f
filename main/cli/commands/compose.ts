// compose: hands one message to the current user's Compose with mode, the way the accounting
// package opens an invoice email for a last look: Outlook, MAPI, Microsoft 365 on the web, the OS
// default mail client, or a draft in Mailroom's own built-in mailer.
import { COMPOSE_LABELS, effectiveModes } from '../../../preload/contract';
import { MESSAGE_OPTIONS, messageFromOptions } from '../message-options';
import type { Command } from '../command';
import { CliError, EXIT, printJson } from '../output';

export const COMPOSE_COMMANDS: Command[] = [
  {
    name: 'compose',
    summary: "Open a message in the user's mail program (Compose with), for a last look before sending",
    usage: 'mailroom compose [--profile NAME] [--to ADDR]... [--cc ADDR]... [--bcc ADDR]... [--subject S] [--text T | --html H] [--attach FILE]... [--json]',
    details: [
      "Uses the Compose with mode in force for this computer's user (their own choice where the administrator allows it):",
      '  Outlook (classic), Full MAPI or Simple MAPI (Windows), Microsoft 365 (a draft opened in Outlook on the web),',
      '  Autodetect (Outlook (classic) if installed, else the MAPI level the default mail client supports, else the',
      '  default mail client with a draft .eml, or a mailto: link for a short plain message), or the Built-in mailer',
      "  (the message is saved as a draft in Mailroom's New email > Drafts).",
    ].join('\n'),
    options: {
      ...MESSAGE_OPTIONS,
    },
    async run(ctx, values) {
      const services = ctx.services();
      const message = messageFromOptions(ctx, values, { recipientRequired: false });
      let profileId: string | undefined;
      if (typeof values.profile === 'string') {
        const profile = services.mail.findProfile(values.profile);
        if (!profile) throw new CliError({ code: 'not-found', message: `No profile called "${values.profile}"`, fields: [{ path: '--profile', message: 'Unknown profile' }] });
        profileId = profile.id;
      }
      const result = await services.compose.compose({ message, ...(profileId ? { profileId } : {}) });
      if (!result.ok) throw new CliError(result.error);
      if (result.value.kind === 'builtin') {
        const draft = services.drafts.save({ profileId: profileId ?? '', to: message.to, cc: message.cc, bcc: message.bcc, subject: message.subject, html: message.html ?? escapeText(message.text ?? ''), attachments: message.attachments });
        if (ctx.json) printJson(ctx.io, { ok: true, mode: 'builtin', draftId: draft.id });
        else ctx.io.stdout.write(`Compose with is ${COMPOSE_LABELS.builtin}: saved as a draft (${draft.id}). Open it in Mailroom: New email > Drafts.\n`);
        return EXIT.ok;
      }
      const modes = effectiveModes(services.settings.read().mail, services.identity().user);
      if (ctx.json) printJson(ctx.io, { ok: true, mode: result.value.mode, detail: result.value.detail, from: modes.composeFrom });
      else ctx.io.stdout.write(`${result.value.detail}\n`);
      return EXIT.ok;
    },
  },
];

function escapeText(text: string): string {
  const html = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return html === '' ? '' : `<p>${html.replace(/\r?\n/g, '<br>')}</p>`;
}
