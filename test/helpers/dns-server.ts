// A small DNS server on loopback that speaks real DNS over UDP (RFC 1035 packets): A, AAAA, MX and
// SRV answers from a zone given by the test, NXDOMAIN for names it does not have, no data for
// types a name lacks, and, for names marked silent (or everything), no answer at all.
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface DnsRecords {
  A?: string[];
  AAAA?: string[];
  MX?: { priority: number; exchange: string }[];
  /** target "." means "not offered" (RFC 2782). */
  SRV?: { priority: number; weight: number; port: number; target: string }[];
  /** Never answer questions about this name. */
  silent?: boolean;
}

export type DnsZone = Record<string, DnsRecords>;

export interface DnsServer {
  /** "127.0.0.1:PORT", as a resolver's setServers takes it. */
  server: string;
  port: number;
  /** Every question asked, as "name TYPE". */
  queries: string[];
  close(): Promise<void>;
}

const TYPES: Record<number, string> = { 1: 'A', 28: 'AAAA', 15: 'MX', 33: 'SRV' };

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l)])), Buffer.from([0])]);
}

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  for (;;) {
    const length = msg[at];
    if (length === undefined) throw new Error('truncated name');
    if (length === 0) return { name: labels.join('.'), end: at + 1 };
    if (length >= 0xc0) throw new Error('compressed names are not expected in a question');
    labels.push(msg.subarray(at + 1, at + 1 + length).toString('latin1'));
    at += 1 + length;
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function rdata(type: string, records: DnsRecords): Buffer[] {
  switch (type) {
    case 'A':
      return (records.A ?? []).map((ip) => Buffer.from(ip.split('.').map(Number)));
    case 'AAAA':
      return (records.AAAA ?? []).map((ip) => {
        const full = ip.includes('::') ? expandV6(ip) : ip.split(':');
        return Buffer.concat(full.map((h) => u16(parseInt(h || '0', 16))));
      });
    case 'MX':
      return (records.MX ?? []).map((mx) => Buffer.concat([u16(mx.priority), encodeName(mx.exchange)]));
    case 'SRV':
      return (records.SRV ?? []).map((srv) => Buffer.concat([u16(srv.priority), u16(srv.weight), u16(srv.port), srv.target === '.' ? Buffer.from([0]) : encodeName(srv.target)]));
    default:
      return [];
  }
}

function expandV6(ip: string): string[] {
  const [head, tail] = ip.split('::') as [string, string];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  return [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
}

export async function startDnsServer(zone: DnsZone, options: { answer?: boolean } = {}): Promise<DnsServer> {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  const lowerZone = new Map(Object.entries(zone).map(([name, records]) => [name.toLowerCase().replace(/\.$/, ''), records]));
  socket.on('message', (msg, peer) => {
    let reply: Buffer;
    try {
      const id = msg.readUInt16BE(0);
      const flags = msg.readUInt16BE(2);
      const question = readName(msg, 12);
      const qtype = msg.readUInt16BE(question.end);
      const questionBytes = msg.subarray(12, question.end + 4);
      const name = question.name.toLowerCase();
      const type = TYPES[qtype] ?? `TYPE${qtype}`;
      queries.push(`${name} ${type}`);
      const records = lowerZone.get(name);
      if (options.answer === false || records?.silent) return;
      const answers = records ? rdata(type, records) : [];
      const rcode = records ? 0 : 3;
      // QR, the query's opcode and RD, AA and RA, and the response code.
      const replyFlags = 0x8000 | (flags & 0x7900) | 0x0400 | 0x0080 | rcode;
      const header = Buffer.concat([u16(id), u16(replyFlags), u16(1), u16(answers.length), u16(0), u16(0)]);
      const body = answers.map((data) => Buffer.concat([u16(0xc00c), u16(qtype), u16(1), Buffer.from([0, 0, 0, 60]), u16(data.length), data]));
      reply = Buffer.concat([header, questionBytes, ...body]);
    } catch {
      return;
    }
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = (socket.address() as AddressInfo).port;
  return {
    server: `127.0.0.1:${port}`,
    port,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
