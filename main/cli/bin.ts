// Entry of the built CLI (dist/cli.cjs): wires the real process into runCli.
import path from 'node:path';
import { runCli } from './index';

declare const MAILROOM_VERSION: string;

// A reader that stops early (mailroom outbox list | head) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const stopSignal = () =>
  new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });

runCli(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() },
  {
    version: MAILROOM_VERSION,
    rendererDir: process.env.MAILROOM_RENDERER_DIR ?? path.join(__dirname, 'renderer'),
    stopSignal,
  },
).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
