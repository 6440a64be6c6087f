// Each office test signs in to its throw-away cluster as one role or another: through Mailroom's
// own connection settings, or with a bare pg client for plain SQL. The cluster and the folder
// standing in for a home folder are made in beforeAll, so they are looked up at each call.
import pg from 'pg';
import { resolveConnection, type OfficeConnection } from '../../main/services/office/connection';
import type { PgCluster } from './postgres';

export interface OfficeRoles {
  /** Mailroom's connection settings for the role; the cluster's superuser signs in with its own password. */
  connect(role: string): OfficeConnection;
  /** Runs plain SQL as the role on a client of its own. */
  as<T>(role: string, run: (client: pg.Client) => Promise<T>): Promise<T>;
}

export function officeRoles(where: () => { cluster: PgCluster; homedir: string }, passwordOf: (role: string) => string | undefined): OfficeRoles {
  const connect = (role: string): OfficeConnection => {
    const { cluster, homedir } = where();
    const c = resolveConnection({ url: cluster.url(role, role === cluster.superuser ? cluster.superuserPassword : passwordOf(role)), env: {}, homedir });
    if (!c.ok) throw new Error(c.error.message);
    return c.value;
  };
  return {
    connect,
    async as(role, run) {
      const client = new pg.Client(connect(role).config);
      await client.connect();
      try {
        return await run(client);
      } finally {
        await client.end();
      }
    },
  };
}
