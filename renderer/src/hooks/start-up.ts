// The dialog's first paint asks main one question (app:start-up) instead of one per hook: in browser
// mode each question is an HTTP request, and a browser sends only a few at a time. Each hook takes
// its part of the answer for its first read, once; every later read asks its own channel, so
// nothing shown is older than the hook's own refresh would be.
import type { Result, StartUp } from '../../../preload/contract';
import { getBridge } from '../bridge';

/** After this long the start-up answer is too old to stand in for a fresh read. */
const FRESH_FOR_MS = 5_000;

let asked: { at: number; answer: Promise<Result<StartUp>> } | null = null;
const taken = new Set<string>();

/**
 * The hook's first read: its part of the start-up answer while that is fresh and not yet taken by
 * this reader, else (or if the start-up question failed) its own channel's answer.
 */
export async function firstRead<K extends keyof StartUp>(part: K, own: () => Promise<Result<StartUp[K]>>, reader = ''): Promise<Result<StartUp[K]>> {
  asked ??= { at: Date.now(), answer: getBridge().invoke('app:start-up', undefined) };
  const key = `${part}:${reader}`;
  if (taken.has(key) || Date.now() - asked.at > FRESH_FOR_MS) return own();
  taken.add(key);
  const answer = await asked.answer;
  return answer.ok ? { ok: true, value: answer.value[part] } : own();
}
