// The installed app answers the command line: `Mailroom --cli COMMAND [options]` runs the mailroom
// command's own runCli in the main process, with no window. Desktops get no Node.js, and the
// installed binary refuses to run as one (the RunAsNode fuse), so this is how IT reaches the command
// line there. Nothing here imports electron: main.ts hands in the process's pieces.

/** The switch that turns a start of the app into one command line call. */
export const CLI_SWITCH = '--cli';

export interface Launch {
  /** process.defaultApp: started as `electron path/to/app`, whose path comes before the app's own arguments. */
  defaultApp: boolean;
}

/**
 * What runCli gets, when `--cli` is the first of the app's own arguments; null otherwise (the
 * dialog). Only switches may come before it, which Chromium reads for itself (`--no-sandbox` on
 * Linux, a `-psn_…` that older macOS adds); everything after it is the command line's, as typed.
 * `--cli` anywhere else is not a request for the command line: a file or value that happens to
 * read `--cli` does not turn a start of the dialog into one.
 */
export function cliArguments(argv: readonly string[], launch: Launch): string[] | null {
  let args = argv.slice(1);
  if (launch.defaultApp) {
    const appPath = args.findIndex((a) => !a.startsWith('-'));
    if (appPath === -1) return null;
    args = args.slice(appPath + 1);
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === CLI_SWITCH) return args.slice(i + 1);
    if (!arg.startsWith('-') || arg === '--') return null;
  }
  return null;
}

export interface Answering {
  /** Standard output and standard error: written to by the command, waited on before exiting. */
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Resolves once the app may exit cleanly (app.whenReady()). */
  ready(): Promise<unknown>;
  /** Ends the process with this code (app.exit). */
  exit(code: number): void;
}

/**
 * Runs one command line call to its end, as dist/cli.cjs does under Node: its exit code, an
 * unexpected error on stderr with 1, everything written reaching the reader before the process
 * ends, and a reader that stops early (`… | more`) not counted as a failure.
 */
export async function answerCommandLine(run: () => Promise<number>, io: Answering): Promise<void> {
  let exited = false;
  let code: number | undefined;
  const exit = (value: number) => {
    if (exited) return;
    exited = true;
    io.exit(value);
  };
  for (const stream of [io.stdout, io.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => exit(error.code === 'EPIPE' ? (code ?? 0) : 1));
  }
  try {
    code = await run();
  } catch (error) {
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    code = 1;
  }
  await io.ready();
  // app.exit ends the process at once: what is still on its way to a pipe or a console would be lost.
  await Promise.all([flushed(io.stdout), flushed(io.stderr)]);
  exit(code);
}

/** Resolves once everything written to `stream` so far has been handed on (or the stream has failed). */
function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    try {
      stream.write('', () => resolve());
    } catch {
      resolve();
    }
  });
}
