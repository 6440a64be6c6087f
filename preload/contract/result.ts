// The shape every channel answers with: a value, or an error the user can read.
import { z } from 'zod';

export const FieldError = z.object({
  /** Dot path of the field in the channel's input, e.g. "general.alertFrom". */
  path: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof FieldError>;

export const ErrorCode = z.enum([
  'invalid-input',
  'unknown-channel',
  'forbidden',
  'not-found',
  'conflict',
  'io-error',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const AppError = z.object({
  code: ErrorCode,
  message: z.string(),
  fields: z.array(FieldError).optional(),
});
export type AppError = z.infer<typeof AppError>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, fields?: FieldError[]): { ok: false; error: AppError } {
  return fields && fields.length > 0 ? { ok: false, error: { code, message, fields } } : { ok: false, error: { code, message } };
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

export function invalidInput(error: z.ZodError, prefix: readonly (string | number)[] = []): { ok: false; error: AppError } {
  const fields = fieldErrors(error, prefix);
  const summary = fields.map((f) => `${f.path}: ${f.message}`).join('; ');
  return fail('invalid-input', `Invalid input: ${summary}`, fields);
}
