// Machine policy as a JSON file: /etc/mailroom/policy.json on Linux and other systems, or the file
// MAILROOM_POLICY_FILE names on any platform. One object whose keys are dot paths or nested
// objects: { "general": { "alertFrom": "alerts@example.com" }, "mail.compose": "builtin" }.
import type { RawPolicy } from './raw-policy';
import { isPlainObject } from '../settings/migrations';
import { policyFileProblem, readPolicyFile } from './policy-file';

export const LINUX_POLICY_FILE = '/etc/mailroom/policy.json';
export const POLICY_FILE_VARIABLE = 'MAILROOM_POLICY_FILE';

/** A policy file is a few kilobytes; anything much larger is not one. */
const MAX_BYTES = 1024 * 1024;

/** Reads a policy file; a missing file is no policy, anything else wrong with it is a problem of the whole location. */
export async function readJsonPolicy(file: string): Promise<RawPolicy> {
  const nothing = (message?: string): RawPolicy => ({ source: file, found: message !== undefined, values: {}, problems: message ? [{ path: '', message }] : [] });
  let text: string;
  try {
    text = (await readPolicyFile(file, MAX_BYTES, (size) => `The file is ${size} bytes; a policy file is at most ${MAX_BYTES}`)).toString('utf8');
  } catch (error) {
    return nothing(policyFileProblem(error, 'it should be readable by everyone, writable by root only'));
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return nothing(`Not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(doc)) return nothing('Expected one JSON object of settings by dot path, like {"general.alertFrom": "alerts@example.com"}');
  return { source: file, found: true, values: doc, problems: [] };
}

/** The JSON file to read: MAILROOM_POLICY_FILE when set, else /etc/mailroom/policy.json. */
export function jsonPolicyFile(env: NodeJS.ProcessEnv): string {
  const named = env[POLICY_FILE_VARIABLE]?.trim();
  return named ? named : LINUX_POLICY_FILE;
}
