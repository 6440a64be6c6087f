// serve: browser mode, the dialog and its services on 127.0.0.1 for a browser on this machine.
import { createDispatch } from '../../api/dispatch';
import { createHandlers } from '../../api/handlers';
import { startHost } from '../../host/http-host';
import type { Command } from '../command';
import { CliError, EXIT } from '../output';

export const SERVE_COMMANDS: Command[] = [
  {
    name: 'serve',
    summary: 'Serve the settings dialog in a browser (browser mode), on 127.0.0.1 only',
    usage: 'mailroom serve [--port N] [--json]',
    details: [
      'Prints the address to open, with a fresh access token; keep it private.',
      'Options:',
      '  --port N   listen on port N (default: a free port)',
      '  --json     print {"url": "..."} once ready',
      'Stops cleanly on Ctrl+C (SIGINT) or SIGTERM.',
    ].join('\n'),
    options: { port: { type: 'string' } },
    async run(ctx, values) {
      const port = values.port === undefined ? 0 : parsePort(values.port as string);
      const services = ctx.services();
      const dispatch = createDispatch(createHandlers(services), {
        onInternalError: (channel, error) => ctx.io.stderr.write(`internal error on ${channel}: ${error instanceof Error ? error.message : String(error)}\n`),
      });
      // Read once so a damaged settings file is set aside and reported before anyone connects.
      services.settings.read();
      // The outbox sends in the background while the dialog is open, as in the desktop app.
      if (!services.office) services.outbox.start();
      let host;
      try {
        host = await startHost({ dispatch, rendererDir: ctx.options.rendererDir, port, subscribe: (listener, options) => services.live.subscribe(listener, options) });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new CliError({
          code: 'io-error',
          message: code === 'EADDRINUSE' ? `Port ${port} is already in use; choose another with --port, or leave it out to pick a free one` : `Could not start the server: ${(error as Error).message}`,
        });
      }
      if (ctx.json) ctx.io.stdout.write(JSON.stringify({ url: host.url }) + '\n');
      else ctx.io.stdout.write(`Mailroom is running in browser mode. Open this address (it holds a private access token):\n  ${host.url}\nData folder: ${services.dataDir}\nPress Ctrl+C to stop.\n`);
      const signal = await (ctx.options.stopSignal?.() ?? new Promise<string>(() => {}));
      services.live.close();
      await host.close();
      if (!ctx.json) ctx.io.stderr.write(`Stopped (${signal}).\n`);
      return EXIT.ok;
    },
  },
];

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new CliError({ code: 'invalid-input', message: `--port must be a whole number from 1 to 65535, not "${text}"`, fields: [{ path: '--port', message: 'Use a whole number from 1 to 65535' }] });
  }
  return port;
}
