// When to try a message again, and when a failure is final.
const BASE_MS = 30_000;
const CAP_MS = 60 * 60_000;

/** Exponential backoff with ±20% jitter: 30 s, 1 min, 2 min … capped at an hour. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const plain = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(plain * (0.8 + 0.4 * random()));
}
