// Settings, users, secrets and requests to the sender service, with the rights each role has.
import type { Migration } from './types';

export const CORE: Migration = {
  version: 1,
  name: 'core',
  sql: `SELECT 1;`,
};
