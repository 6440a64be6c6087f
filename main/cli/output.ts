// How every command talks to a terminal or a script: text for people, one JSON document with --json,
// errors on stderr, and exit codes a script can rely on.
import type { AppError } from '../../preload/contract';

export const EXIT = {
  ok: 0,
  /** The operation ran and failed (a server refused, a file could not be written). */
  failed: 1,
  /** The command line or the input was wrong; nothing was changed. */
  usage: 2,
} as const;

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export class CliError extends Error {
  constructor(
    readonly error: AppError,
    readonly exitCode: number = error.code === 'invalid-input' || error.code === 'not-found' ? EXIT.usage : EXIT.failed,
  ) {
    super(error.message);
  }
}

export class UsageError extends Error {
  constructor(message: string, readonly help?: string) {
    super(message);
  }
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** The human form of an error: the summary, then one line per field. */
export function formatError(error: AppError): string {
  // Schema errors carry a generic message and the detail in fields; anything else says it all itself.
  const generic = error.message.startsWith('Invalid input');
  const lines = [`error: ${generic && error.fields?.length ? summary(error) : error.message}`];
  if (!generic) return lines.join('\n') + '\n';
  for (const field of error.fields ?? []) lines.push(`  ${field.path}: ${field.message}`);
  return lines.join('\n') + '\n';
}

function summary(error: AppError): string {
  switch (error.code) {
    case 'invalid-input':
      return `${error.fields?.length === 1 ? 'one field is' : `${error.fields?.length} fields are`} not valid; nothing was changed`;
    case 'not-found':
      return error.message;
    default:
      return error.message;
  }
}
