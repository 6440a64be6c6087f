// Reads back when the outbox started each message (its rate slots, from the journal) and finds the
// busiest 60-second window: how the rate limit is checked, by the tests and the benchmark alike.
import fs from 'node:fs';
import path from 'node:path';

export function slotTimes(dataDir: string): number[] {
  return fs
    .readFileSync(path.join(dataDir, 'outbox', 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { t: string; at: number })
    .filter((r) => r.t === 'slot')
    .map((r) => r.at)
    .sort((a, b) => a - b);
}

/** The most starts within any window of windowMs, for sorted times. */
export function busiestWindow(sorted: readonly number[], windowMs = 60_000): number {
  let busiest = 0;
  let first = 0;
  for (let i = 0; i < sorted.length; i++) {
    while ((sorted[first] as number) <= (sorted[i] as number) - windowMs) first++;
    busiest = Math.max(busiest, i - first + 1);
  }
  return busiest;
}
