// Exit codes come from the error's code, and the layout from its code and fields, never its words.
import { describe, expect, it } from 'vitest';
import { CliError, EXIT, EXIT_FOR_CODE, formatError } from '../../../main/cli/output';
import { ErrorCode, fail, invalidFields } from '../../../preload/contract';

describe('exit codes', () => {
  it('has one for every error code: 2 only for what the command line can fix, 1 for the rest', () => {
    expect(Object.keys(EXIT_FOR_CODE).sort()).toEqual([...ErrorCode.options].sort());
    const usage = ErrorCode.options.filter((c) => EXIT_FOR_CODE[c] === EXIT.usage).sort();
    expect(usage).toEqual(['invalid-input', 'not-found', 'unknown-channel']);
  });

  it('not signed in and not available here are failures, not a bad command line', () => {
    expect(new CliError(fail('not-signed-in', 'Sign in with Microsoft first').error).exitCode).toBe(1);
    expect(new CliError(fail('unavailable', 'Outlook (classic) is available only on Windows.').error).exitCode).toBe(1);
    expect(new CliError(fail('forbidden', 'Only an administrator can change system settings.').error).exitCode).toBe(1);
    expect(new CliError(fail('invalid-input', 'Give a subject with --subject').error).exitCode).toBe(2);
  });

  it('does not read the message: the same words under another code exit differently', () => {
    expect(new CliError(fail('io-error', 'Invalid input: x').error).exitCode).toBe(1);
  });
});

describe('the printed error', () => {
  it('lists each bad field under a count when the fields are the whole story (the README example)', () => {
    const { error } = invalidFields([{ path: 'general.alertFrom', message: 'Enter one email address, like accounts@example.com' }]);
    expect(formatError(error)).toBe('error: one field is not valid; nothing was changed\n  general.alertFrom: Enter one email address, like accounts@example.com\n');
    const two = invalidFields([{ path: 'a', message: 'x' }, { path: 'b', message: 'y' }]).error;
    expect(formatError(two)).toBe('error: 2 fields are not valid; nothing was changed\n  a: x\n  b: y\n');
  });

  it('keeps its own sentence when it says more than its fields', () => {
    const { error } = fail('invalid-input', '--port must be a whole number from 1 to 65535, not "70000"', [{ path: '--port', message: 'Use a whole number from 1 to 65535' }]);
    expect(formatError(error)).toBe('error: --port must be a whole number from 1 to 65535, not "70000"\n  --port: Use a whole number from 1 to 65535\n');
  });

  it('prints other failures as their sentence, with what to do when there is advice', () => {
    expect(formatError(fail('not-found', 'No profile called "X"', [{ path: '--profile', message: 'Unknown profile' }]).error)).toBe('error: No profile called "X"\n');
    const advice = { code: 'oauth-sign-in-needed', title: 'Sign in with Microsoft first', cause: 'Not signed in.', fix: 'Run mailroom sign-in.' };
    expect(formatError(fail('not-signed-in', 'Sign in with Microsoft first. Not signed in.', [], { advice }).error)).toBe(
      'error: Sign in with Microsoft first. Not signed in.\n  What to do:      Run mailroom sign-in.\n',
    );
  });
});
