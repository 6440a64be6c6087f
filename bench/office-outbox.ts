// The office outbox in the benchmark: a throw-away PostgreSQL cluster, one staff role queueing,
// two sender services (in this process, each with its own database connections) sending to the
// same sink as the other rows of the run. Skipped, with a line saying why, when PostgreSQL's server
// programs are not installed.
import pg from 'pg';
import { defaultSettings, newProfile, ok, type OutgoingMessage, type SmtpProfile } from '../preload/contract';
import { resolveConnection, type OfficeConnection } from '../main/services/office/connection';
import { OfficeOutbox } from '../main/services/office/office-outbox';
import { migrate } from '../main/services/office/schema';
import { SenderService } from '../main/services/office/sender-service';
import { postgresBinDir, startPostgres, type PgCluster } from '../test/helpers/postgres';

const PASSWORD = 'bench-only-password';

export interface OfficeBench {
  /** Queue and send `count` messages once; messages per second, queueing included. */
  run(count: number): Promise<{ perSecond: number; queueMs: number; sendMs: number }>;
  close(): Promise<void>;
}

/** Starts the cluster and its roles; a reason instead when PostgreSQL is not installed here. */
export async function startOfficeBench(port: number, connections: number, message: (i: number) => OutgoingMessage): Promise<OfficeBench | { skipped: string }> {
  if (!postgresBinDir()) return { skipped: 'PostgreSQL is not installed (apt-get install postgresql, or set MAILROOM_PG_BIN)' };
  const cluster: PgCluster = await startPostgres({ database: 'mailroom_bench' });
  const connect = (role: string): OfficeConnection => {
    const c = resolveConnection({ url: role === cluster.superuser ? cluster.url() : cluster.url(role, PASSWORD), env: {} });
    if (!c.ok) throw new Error(c.error.message);
    return c.value;
  };
  const owner = new pg.Client(connect(cluster.superuser).config);
  await owner.connect();
  const profile: SmtpProfile = { ...newProfile('bench', 'Bench'), host: '127.0.0.1', port, security: 'none', auth: 'none', fromAddress: 'statements@bench.example', maxConnections: connections, maxAttachmentsMb: 0 };
  try {
    await migrate(owner);
    for (const [role, group] of [['bench_staff', 'mailroom_staff'], ['bench_sender1', 'mailroom_sender'], ['bench_sender2', 'mailroom_sender']] as const) {
      await owner.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'; END IF; END $$`);
      await owner.query(`GRANT ${group} TO ${role}`);
    }
    const doc: Record<string, unknown> = { ...defaultSettings() };
    delete doc.users;
    (doc.smtp as { profiles: SmtpProfile[] }).profiles = [profile];
    await owner.query('UPDATE mailroom.settings SET document = $1::jsonb', [JSON.stringify(doc)]);
  } catch (error) {
    await owner.end();
    await cluster.stop();
    throw error;
  }
  return {
    async run(count) {
      await owner.query('TRUNCATE mailroom.outbox, mailroom.send_slots');
      const senders = ['bench_sender1', 'bench_sender2'].map((role) => new SenderService({ connection: connect(role), credentials: { forMessage: () => Promise.resolve(ok({})) } }));
      for (const s of senders) {
        const started = await s.start();
        if (!started.ok) throw new Error(started.error.message);
      }
      const box = new OfficeOutbox(connect('bench_staff'));
      try {
        const started = performance.now();
        const queued = await box.queue(profile, Array.from({ length: count }, (_, i) => message(i)));
        if (!queued.ok) throw new Error(queued.error.message);
        const queuedAt = performance.now();
        const deadline = Date.now() + 120_000;
        while (senders.reduce((n, s) => n + s.stats.sent, 0) < count) {
          if (Date.now() > deadline) throw new Error(`office outbox sent ${senders.reduce((n, s) => n + s.stats.sent, 0)} of ${count} in two minutes`);
          await new Promise((r) => setTimeout(r, 5));
        }
        const done = performance.now();
        return { perSecond: count / ((done - started) / 1000), queueMs: queuedAt - started, sendMs: done - queuedAt };
      } finally {
        await box.close();
        await Promise.all(senders.map((s) => s.stop()));
      }
    },
    async close() {
      await owner.end().catch(() => undefined);
      await cluster.stop();
    },
  };
}
