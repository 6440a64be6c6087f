// A fast SMTP sink on loopback: answers at once (smtp-server waits 100 ms before each greeting),
// and counts what arrives by Message-ID. For crash tests and benchmarks.
import net from 'node:net';

export interface Sink {
  host: string;
  port: number;
  /** How many copies of each Message-ID arrived. */
  received: Map<string, number>;
  total(): number;
  /** How many connections were accepted so far. */
  connections(): number;
  /** Calls listener after each connection accepted and each message received; returns the way to stop. */
  watch(listener: () => void): () => void;
  close(): Promise<void>;
}

export async function startSink(options: { delayMs?: number } = {}): Promise<Sink> {
  const received = new Map<string, number>();
  const sockets = new Set<net.Socket>();
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of [...listeners]) listener();
  };
  let connections = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    connections++;
    changed();
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    let inData = false;
    let data: string[] = [];
    const reply = (text: string) => {
      if (options.delayMs) setTimeout(() => socket.writable && socket.write(text), options.delayMs);
      else socket.write(text);
    };
    socket.write('220 sink.test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            const id = /^Message-ID:\s*(<[^>]+>)/im.exec(data.join('\n'))?.[1] ?? '(none)';
            received.set(id, (received.get(id) ?? 0) + 1);
            data = [];
            changed();
            reply('250 2.0.0 queued\r\n');
          } else if (data.length < 40) data.push(line);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') reply('250-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n');
        else if (verb === 'HELO') reply('250 sink.test\r\n');
        else if (verb === 'DATA') {
          inData = true;
          reply('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else reply('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    received,
    total: () => [...received.values()].reduce((a, b) => a + b, 0),
    connections: () => connections,
    watch: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
