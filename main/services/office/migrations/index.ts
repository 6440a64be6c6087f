// Every step of the office schema, oldest first. Add a step; never change one that has shipped.
import { CORE } from './001-core';
import { OUTBOX } from './002-outbox';
import { SIGN_INS } from './003-sign-ins';
import type { Migration } from './types';

export type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [CORE, OUTBOX, SIGN_INS];

/** The schema version this Mailroom expects. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
