// One step of the office schema. Steps run in order, each in its own transaction, and each
// exactly once: the schema_migrations table records which ran.
export interface Migration {
  version: number;
  name: string;
  /** SQL run as the database owner; may hold several statements. */
  sql: string;
}
