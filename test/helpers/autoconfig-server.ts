// An HTTPS server on loopback for autoconfig files, with a certificate from the test CA for the
// names the test gives; what it answers is up to the test, including the hostile answers (huge,
// endless, slow, looping, malformed).
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestCa } from './test-ca';

export type Handler = (req: IncomingMessage, res: ServerResponse, host: string, path: string) => void;

export interface AutoconfigServer {
  port: number;
  /** Every request, as "host path". */
  requests: string[];
  close(): Promise<void>;
}

export async function startAutoconfigServer(ca: TestCa, hostnames: string[], handler: Handler): Promise<AutoconfigServer> {
  const { key, cert } = ca.issue(hostnames);
  const requests: string[] = [];
  const server = https.createServer({ key, cert }, (req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const path = req.url ?? '/';
    requests.push(`${host} ${path}`);
    handler(req, res, host, path);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface OutgoingServer {
  hostname: string;
  port: number | string;
  socketType: string;
  username?: string;
  authentication?: string[];
}

/** A config-v1.1.xml document with one incoming (ignored) and the given outgoing servers. */
export function autoconfigXml(displayName: string, outgoing: OutgoingServer[]): string {
  const servers = outgoing
    .map(
      (s) => `    <outgoingServer type="smtp">
      <hostname>${s.hostname}</hostname>
      <port>${s.port}</port>
      <socketType>${s.socketType}</socketType>
${(s.authentication ?? ['password-cleartext']).map((a) => `      <authentication>${a}</authentication>`).join('\n')}
      ${s.username === undefined ? '' : `<username>${s.username}</username>`}
    </outgoingServer>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- served by a test -->
<clientConfig version="1.1">
  <emailProvider id="example">
    <domain>example</domain>
    <displayName>${displayName}</displayName>
    <incomingServer type="imap">
      <hostname>imap.example.test</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
${servers}
  </emailProvider>
</clientConfig>
`;
}

/** Writes `total` bytes of filler in chunks, as fast as the client reads, until done or the client goes. */
export function sendHuge(res: ServerResponse, total: number): void {
  res.writeHead(200, { 'Content-Type': 'application/xml' });
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  const more = () => {
    while (sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end();
  };
  res.on('close', () => (sent = total));
  res.write('<clientConfig>');
  more();
}

/** One byte every `everyMs`, for ever (until the client goes). */
export function drip(res: ServerResponse, everyMs: number): void {
  res.writeHead(200, { 'Content-Type': 'application/xml' });
  const timer = setInterval(() => res.write('<'), everyMs);
  res.on('close', () => clearInterval(timer));
}
