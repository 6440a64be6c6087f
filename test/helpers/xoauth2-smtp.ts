// An SMTP submission server (port 587 style) that signs in only with OAuth2, the way Exchange
// Online does ("Authenticate an IMAP, POP or SMTP connection using OAuth"): STARTTLS first, then
// AUTH XOAUTH2 with base64("user=" + upn + "^Aauth=Bearer " + token + "^A^A"). A refused token gets
// "535 5.7.3 Authentication unsuccessful" at once (no JSON challenge, unlike Gmail), a mailbox with
// SMTP AUTH turned off gets Exchange's 535 5.7.139. It records sign-in attempts and messages.
import type net from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { KeyPair, TestCa } from './test-ca';

export interface Xoauth2TokenInfo {
  upn: string;
  /** 'SMTP.Send' or 'https://outlook.office.com/SMTP.Send'. */
  scopes: string[];
  /** The token's audience, when the test wants it checked (Exchange Online's: https://outlook.office.com). */
  audience?: string;
}

export interface Xoauth2ServerOptions {
  /** The STARTTLS certificate for 'localhost' comes from this CA. */
  ca: TestCa;
  /** A certificate already issued by `ca` for localhost, to save generating a key. */
  cert?: KeyPair;
  verifyToken(token: string): Promise<Xoauth2TokenInfo | null>;
  /** Mailboxes for which SMTP AUTH is disabled: AUTH answers as Exchange Online does (535 5.7.139). */
  smtpAuthDisabledFor?: string[];
  /** Other addresses each mailbox may send as; anything else is refused after DATA with 554 5.2.252 SendAsDenied. */
  sendAs?: Record<string, string[]>;
}

export interface Xoauth2Server {
  host: string;
  port: number;
  received: { from: string; to: string[]; user: string; raw: Buffer }[];
  authAttempts: { method: string; user: string; ok: boolean }[];
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
/** Exchange Online ends its replies with the name of the server that answered. */
const SERVER_TAG = '[LO0P0000BK0001.prod.outlook.test]';
const OUTLOOK_AUDIENCES = new Set([
  'https://outlook.office.com',
  'https://outlook.office.com/',
  'https://outlook.office365.com',
  'https://outlook.office365.com/',
  '00000002-0000-0ff1-ce00-000000000000',
]);

function refusal(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(`${text} ${SERVER_TAG}`), { responseCode: code });
}

function same(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function hasSmtpSend(scopes: string[]): boolean {
  return scopes.some((s) => s.replace(/^https:\/\/outlook\.office(365)?\.com\//i, '').toLowerCase() === 'smtp.send');
}

interface Connection {
  secure: boolean;
  send(code: number, data?: string | string[], context?: string | false): void;
}

type SessionWithCommands = SMTPServerSession & { disabledCommands?: string[] };

/** Starts the server on 127.0.0.1 at a free port; connect to 'localhost' to match the certificate. */
export async function startXoauth2SmtpServer(options: Xoauth2ServerOptions): Promise<Xoauth2Server> {
  const cert = options.cert ?? options.ca.issue(['localhost', LOOPBACK]);
  const received: Xoauth2Server['received'] = [];
  const authAttempts: Xoauth2Server['authAttempts'] = [];
  const disabled = (options.smtpAuthDisabledFor ?? []).map((m) => m.toLowerCase());
  const maySendAs = (user: string, address: string) =>
    same(user, address) || (options.sendAs?.[user.toLowerCase()] ?? options.sendAs?.[user] ?? []).some((a) => same(a, address));

  const serverOptions: SMTPServerOptions = {
    logger: false,
    name: 'localhost',
    banner: 'MAIL Service ready',
    secure: false,
    key: cert.key,
    cert: cert.cert,
    authMethods: ['XOAUTH2'],
    authOptional: false,
    size: 157286400,
    hideREQUIRETLS: true,
    hideENHANCEDSTATUSCODES: false,
    hideDSN: false,
    authRequiredMessage: `5.7.57 Client not authenticated to send mail. ${SERVER_TAG}`,
    closeTimeout: 200,
    onConnect(session, callback) {
      // Before STARTTLS Exchange Online offers no AUTH at all.
      (session as SessionWithCommands).disabledCommands = ['AUTH'];
      callback();
    },
    onSecure(_socket, session, callback) {
      (session as SessionWithCommands).disabledCommands = [];
      callback();
    },
    onAuth(auth, _session, callback) {
      const user = auth.username ?? '';
      const record = (ok: boolean) => authAttempts.push({ method: auth.method, user, ok });
      if (auth.method !== 'XOAUTH2' || !auth.accessToken) {
        record(false);
        return callback(refusal(504, '5.7.4 Unrecognized authentication type'));
      }
      void options
        .verifyToken(auth.accessToken)
        .catch(() => null)
        .then((info) => {
          const valid =
            info !== null &&
            same(info.upn, user) &&
            hasSmtpSend(info.scopes) &&
            (info.audience === undefined || OUTLOOK_AUDIENCES.has(info.audience));
          if (!valid) {
            record(false);
            return callback(refusal(535, '5.7.3 Authentication unsuccessful'));
          }
          if (disabled.includes(user.toLowerCase())) {
            record(false);
            return callback(
              refusal(
                535,
                '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.',
              ),
            );
          }
          record(true);
          callback(null, { user: info.upn });
        });
    },
    onMailFrom(_address, session, callback) {
      // Reached before STARTTLS too, where AUTH is switched off and smtp-server would not ask for it.
      if (!session.user) return callback(refusal(530, '5.7.57 Client not authenticated to send anonymous mail during MAIL FROM'));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        void (async () => {
          const raw = Buffer.concat(chunks);
          const user = typeof session.user === 'string' ? session.user : '';
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const parsed = await simpleParser(raw).catch(() => undefined);
          const headerFrom = parsed?.from?.value[0]?.address ?? '';
          const denied = [from, headerFrom].find((a) => a !== '' && !maySendAs(user, a));
          if (denied !== undefined) {
            return callback(
              refusal(
                554,
                `5.2.252 SendAsDenied; ${user} not allowed to send as ${denied}; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message.`,
              ),
            );
          }
          received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), user, raw });
          callback();
        })();
      });
    },
  };

  const server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);

  // Replies whose text already starts with an enhanced status code (Exchange's own, such as
  // 5.7.139) go out as they are, without smtp-server adding its generic one in front; and AUTH
  // before STARTTLS is answered as Exchange answers it, not as an unknown command.
  const internals = server as unknown as { connect(socket: net.Socket, opts: unknown): void; connections: Set<Connection> };
  const connect = internals.connect.bind(server);
  internals.connect = (socket, opts) => {
    connect(socket, opts);
    const connection = [...internals.connections].pop();
    if (!connection) return;
    const send = connection.send.bind(connection);
    connection.send = (code, data, context) => {
      if (code === 500 && context === 'AUTH' && !connection.secure) return send(504, `5.7.4 Unrecognized authentication type ${SERVER_TAG}`, false);
      if (typeof data === 'string' && /^\d\.\d{1,3}\.\d{1,3} /.test(data)) return send(code, data, false);
      return send(code, data, context);
    };
  };

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const { port } = server.server.address() as net.AddressInfo;
  return {
    host: 'localhost',
    port,
    received,
    authAttempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
