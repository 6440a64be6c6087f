// How every command talks to a terminal or a script: text for people, one JSON document with --json,
// errors on stderr, and exit codes a script can rely on, chosen by the error's code.
import { fieldListMessage, type AppError, type ErrorCode } from '../../preload/contract';

export const EXIT = {
  ok: 0,
  /** The operation ran and failed (a server refused, a file could not be written, not signed in). */
  failed: 1,
  /** The command line or the input was wrong; nothing was changed. */
  usage: 2,
} as const;

/**
 * The exit code for each kind of failure, in one place. 2 means "fix what you typed": the input
 * was invalid, or a name on the command line (a profile, a setting, a message ID) names nothing.
 * Everything else that failed is 1, including not signed in and not available on this computer,
 * which no change to the command line would fix.
 */
export const EXIT_FOR_CODE: Readonly<Record<ErrorCode, number>> = {
  'invalid-input': EXIT.usage,
  'unknown-channel': EXIT.usage,
  'not-found': EXIT.usage,
  forbidden: EXIT.failed,
  'not-signed-in': EXIT.failed,
  unavailable: EXIT.failed,
  conflict: EXIT.failed,
  'io-error': EXIT.failed,
  internal: EXIT.failed,
};

export function exitCodeFor(error: AppError): number {
  return EXIT_FOR_CODE[error.code] ?? EXIT.failed;
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export class CliError extends Error {
  readonly exitCode: number;
  constructor(readonly error: AppError) {
    super(error.message);
    this.exitCode = exitCodeFor(error);
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

/**
 * The human form of an error. Invalid input lists each field on a line of its own, under a count
 * when the fields are the whole story and under the error's own sentence when it says more;
 * advice from a server or provider adds what to do.
 */
export function formatError(error: AppError): string {
  const fields = error.fields ?? [];
  if (error.code === 'invalid-input' && fields.length > 0) {
    const onlyFields = error.message === fieldListMessage(fields);
    const header = onlyFields ? `${fields.length === 1 ? 'one field is' : `${fields.length} fields are`} not valid; nothing was changed` : error.message;
    return [`error: ${header}`, ...fields.map((f) => `  ${f.path}: ${f.message}`)].join('\n') + '\n';
  }
  const lines = [`error: ${error.message}`];
  if (error.advice) lines.push(`  What to do:      ${error.advice.fix}`);
  return lines.join('\n') + '\n';
}

/**
 * The same error with its fields named as the command line names them (a profile's "host" is
 * "--host"); an error made of its fields alone is said again with the new names.
 */
export function withOptionNames(error: AppError, name: (path: string) => string | undefined): AppError {
  if (!error.fields?.length) return error;
  const fields = error.fields.map((f) => ({ path: name(f.path) ?? f.path, message: f.message }));
  const message = error.message === fieldListMessage(error.fields) ? fieldListMessage(fields) : error.message;
  return { ...error, message, fields };
}

/** A service's failure, thrown as the command's error with the fields named by their options. */
export function failWith(error: AppError, names: Record<string, string> = {}): CliError {
  return new CliError(withOptionNames(error, (path) => names[path]));
}

/** Rows in aligned columns for people to read, two spaces in and between; the last column as long as it is. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) => '  ' + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
