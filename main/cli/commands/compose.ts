// compose: hands one message to the current user's Compose with mode, the way the accounting
// package opens an invoice email for a last look: Outlook, MAPI, Microsoft 365 on the web, the OS
// default mail client, or a draft in Mailroom's own built-in mailer.
import { MESSAGE_OPTIONS, messageFromOptions } from '../message-options';
import type { Command } from '../command';
import { CliError, EXIT, failWith, printJson } from '../output';
import { PROFILE_OPTION } from './profile';

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
        const picked = services.useCases.mail.pickProfile(values.profile);
        if (!picked.ok) throw failWith(picked.error, PROFILE_OPTION);
        profileId = picked.value.id;
      }
      const result = await services.compose.composeOrDraft({ message, ...(profileId ? { profileId } : {}) });
      if (!result.ok) throw new CliError(result.error);
      const { mode, detail, draftId, from } = result.value;
      if (ctx.json) printJson(ctx.io, draftId ? { ok: true, mode, draftId } : { ok: true, mode, detail, from });
      else ctx.io.stdout.write(`${detail}\n`);
      return EXIT.ok;
    },
  },
];
