// Creates or upgrades the office schema: the group roles (cluster-wide, made once), the schema,
// and every migration not yet applied, each in one transaction, under an advisory lock so two
// installers never race.
import type { ClientBase } from 'pg';
import { MIGRATIONS, type Migration } from './migrations';
import { OFFICE_ROLES, OFFICE_SCHEMA } from './roles';

// Any fixed number: the lock only has to be the same for every Mailroom installer.
const MIGRATION_LOCK = 0x4d41494c;

export interface MigrationReport {
  from: number;
  to: number;
  applied: { version: number; name: string }[];
}

/** The version the database is at: 0 when the schema does not exist yet. */
export async function schemaVersion(client: ClientBase): Promise<number> {
  const exists = await client.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [`${OFFICE_SCHEMA}.schema_migrations`]);
  if (!exists.rows[0]?.found) return 0;
  const result = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${OFFICE_SCHEMA}.schema_migrations`);
  return Number(result.rows[0]?.version ?? 0);
}

/**
 * Brings the schema to `target` (default: the newest). Each step is its own transaction: a step
 * that fails leaves the database at the step before it, and says which one failed.
 */
export async function migrate(client: ClientBase, options: { target?: number; migrations?: readonly Migration[] } = {}): Promise<MigrationReport> {
  const migrations = options.migrations ?? MIGRATIONS;
  const target = options.target ?? migrations[migrations.length - 1]?.version ?? 0;
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await ensureGroupRoles(client);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${OFFICE_SCHEMA}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${OFFICE_SCHEMA}.schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const from = await schemaVersion(client);
    if (from > (migrations[migrations.length - 1]?.version ?? 0)) {
      throw new Error(`The office database is at schema version ${from}, newer than this Mailroom knows (${migrations[migrations.length - 1]?.version ?? 0}). Update Mailroom.`);
    }
    const applied: MigrationReport['applied'] = [];
    for (const step of migrations) {
      if (step.version <= from || step.version > target) continue;
      await client.query('BEGIN');
      try {
        await client.query(step.sql);
        await client.query(`INSERT INTO ${OFFICE_SCHEMA}.schema_migrations (version, name) VALUES ($1, $2)`, [step.version, step.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`Schema step ${step.version} (${step.name}) failed: ${(error as Error).message}`);
      }
      applied.push({ version: step.version, name: step.name });
    }
    return { from, to: await schemaVersion(client), applied };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
}

/** The three group roles, made when missing (roles belong to the cluster, not one database). */
async function ensureGroupRoles(client: ClientBase): Promise<void> {
  for (const role of Object.values(OFFICE_ROLES)) {
    const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (found.rowCount === 0) await client.query(`CREATE ROLE ${role} NOLOGIN`);
  }
}
