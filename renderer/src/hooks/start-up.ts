// The dialog's first paint asks main one question (app:start-up) instead of one per hook: in browser
// mode each question is an HTTP request, and a browser sends only a few at a time. Each hook takes
// its part of the answer for its first read, once; every later read asks its own channel, so
// nothing shown is older than the hook's own refresh would be.
//
// The question goes out before the rest of the page's script runs (ask-start-up.ts), and main.tsx
// draws the dialog once the answer is here (waiting only a little): each hook then starts with its
// part (useStartUpPart), and the first render already shows the settings.
import { useState } from 'react';
import type { Result, StartUp } from '../../../preload/contract';
import { getBridge } from '../bridge';

/** After this long the start-up answer is too old to stand in for a fresh read. */
const FRESH_FOR_MS = 5_000;

interface Question {
  at: number;
  answer: Promise<Result<StartUp>>;
  /** The answer, once it has come. */
  came?: Result<StartUp>;
}

let asked: Question | null = null;
const taken = new Set<string>();

function ask(): Question {
  if (!asked) {
    const question: Question = { at: Date.now(), answer: getBridge().invoke('app:start-up', undefined) };
    void question.answer.then((answer) => {
      question.came = answer;
    });
    asked = question;
  }
  return asked;
}

/** Asks the start-up question now, if it has not been asked yet. */
export function askStartUp(): void {
  ask();
}

/** Settles when the start-up answer has come, or after `ms` if it takes longer. */
export function startUpAnswered(ms: number): Promise<void> {
  const { answer } = ask();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    void answer.then(done, done);
  });
}

function fresh(question: Question): boolean {
  return Date.now() - question.at <= FRESH_FOR_MS;
}

/**
 * A hook's first state: its part of the start-up answer if that has already come, fresh and without
 * error, and was not taken by this reader yet; undefined otherwise (the hook then reads it with
 * firstRead, which finds it taken if this gave it). Read once, when the hook mounts.
 */
export function useStartUpPart<K extends keyof StartUp>(part: K, reader = ''): StartUp[K] | undefined {
  const [value] = useState(() => {
    const question = asked;
    const key = `${part}:${reader}`;
    if (!question?.came?.ok || !fresh(question) || taken.has(key)) return undefined;
    taken.add(key);
    return question.came.value[part];
  });
  return value;
}

/**
 * The hook's first read: its part of the start-up answer while that is fresh and not yet taken by
 * this reader, else (or if the start-up question failed) its own channel's answer.
 */
export async function firstRead<K extends keyof StartUp>(part: K, own: () => Promise<Result<StartUp[K]>>, reader = ''): Promise<Result<StartUp[K]>> {
  const question = ask();
  const key = `${part}:${reader}`;
  if (taken.has(key) || !fresh(question)) return own();
  taken.add(key);
  const answer = await question.answer;
  return answer.ok ? { ok: true, value: answer.value[part] } : own();
}
