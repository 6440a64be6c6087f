// The one failure shape: every channel, service call across a module boundary and CLI command
// answers with a value, or an error the user can read. The code says what kind of failure it is
// (the CLI's exit code and the dialog's layout follow it, never the message text); fields name the
// inputs at fault; advice explains a failure that came from outside (a server, a provider).
import { z } from 'zod';
import { Advice } from './smtp';

export const FieldError = z.object({
  /** Dot path of the field in the channel's input, e.g. "general.alertFrom". */
  path: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

export const ErrorCode = z.enum([
  /** The input (or the command line) is wrong; the fields say where. Nothing was changed. */
  'invalid-input',
  'unknown-channel',
  /** The caller may not do this (not an administrator, settings locked). */
  'forbidden',
  /** A Microsoft 365 profile must be signed in (again) before this works. */
  'not-signed-in',
  /** Not available here: on this platform, in this process, or without a program it needs. */
  'unavailable',
  'not-found',
  'conflict',
  /** A file, folder, program or server could not be used. */
  'io-error',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const AppError = z.object({
  code: ErrorCode,
  message: z.string(),
  fields: z.array(FieldError).optional(),
  /** What went wrong outside Mailroom and what to do, for failures a server or provider caused. */
  advice: Advice.optional(),
  /** Waiting may help without anyone acting (a network or service hiccup). */
  temporary: z.boolean().optional(),
});
export type AppError = z.infer<typeof AppError>;

export type Failure = { ok: false; error: AppError };

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, fields?: FieldError[], extra: { advice?: Advice; temporary?: boolean } = {}): Failure {
  return {
    ok: false,
    error: {
      code,
      message,
      ...(fields && fields.length > 0 ? { fields } : {}),
      ...(extra.advice ? { advice: extra.advice } : {}),
      ...(extra.temporary !== undefined ? { temporary: extra.temporary } : {}),
    },
  };
}

/** Turns zod issues into field errors with dot paths, prefixed when the input sits inside a larger document. */
export function fieldErrors(error: z.ZodError, prefix: readonly (string | number)[] = []): FieldError[] {
  const join = (path: readonly PropertyKey[]) => [...prefix, ...path].map(String).join('.') || '(root)';
  return error.issues.flatMap((issue) =>
    // An unknown key is reported against the key itself, so the message names the field to remove.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'Unknown field' }))
      : [{ path: join(issue.path), message: issue.message }],
  );
}

/** The message of an error that is nothing but its fields: "Invalid input: path: message; …". */
export function fieldListMessage(fields: readonly FieldError[]): string {
  return `Invalid input: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`;
}

/** Invalid input, said by the fields alone (each names the field and what to do). */
export function invalidFields(fields: FieldError[]): Failure {
  return fail('invalid-input', fieldListMessage(fields), fields);
}

export function invalidInput(error: z.ZodError, prefix: readonly (string | number)[] = []): Failure {
  return invalidFields(fieldErrors(error, prefix));
}
