// When to try a message again, and when a failure is final.
import type { Advice } from '../../../preload/contract';

const BASE_MS = 30_000;
const CAP_MS = 60 * 60_000;

/** Exponential backoff with ±20% jitter: 30 s, 1 min, 2 min … capped at an hour. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const plain = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(plain * (0.8 + 0.4 * random()));
}

export type FailureKind = 'temporary' | 'permanent' | 'config' | 'unknown';

/** Advice codes that mean the settings are wrong: retrying cannot help until the admin acts. */
const CONFIG_CODES = /^(auth-|cert-|tls-|starttls-|config-|dns-not-found|not-smtp)/;

export interface FailureFacts {
  responseCode?: number;
  /** The whole message was handed to the server and no answer came: it may have been delivered. */
  dataSent: boolean;
  advice: Advice;
}

export function classifyFailure({ responseCode, dataSent, advice }: FailureFacts): FailureKind {
  if (responseCode !== undefined && responseCode >= 500) return CONFIG_CODES.test(advice.code) ? 'config' : 'permanent';
  if (responseCode !== undefined && responseCode >= 400) return 'temporary';
  if (dataSent) return 'unknown';
  if (CONFIG_CODES.test(advice.code) && !/timeout/.test(advice.code)) return 'config';
  return 'temporary';
}
