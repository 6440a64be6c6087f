// Brings a settings document written by an older Mailroom up to the current version, one step at a time.
import { SETTINGS_VERSION } from '../../../preload/contract';

type Doc = Record<string, unknown>;

export interface Migration {
  /** The version this step reads; it produces from + 1. */
  from: number;
  migrate(doc: Doc): Doc;
}

/** Ordered steps; each entry is kept forever so any old file can still be read. */
export const MIGRATIONS: readonly Migration[] = [
  {
    // A document without a version key (written by hand or by a script) is read as the first layout.
    from: 0,
    migrate: (doc) => ({ ...doc, version: 1 }),
  },
  {
    // Version 2 brought SMTP server profiles and the default profile.
    from: 1,
    migrate: (doc) => ({
      ...doc,
      general: isPlainObject(doc.general) ? { defaultProfile: '', ...doc.general } : doc.general,
      smtp: isPlainObject(doc.smtp) ? doc.smtp : { profiles: [] },
    }),
  },
  {
    // Version 3 brought the outbox: how long to retry, and each profile's connection cap.
    from: 2,
    migrate: (doc) => ({
      ...doc,
      outbox: isPlainObject(doc.outbox) ? doc.outbox : { retryForHours: 48 },
      smtp:
        isPlainObject(doc.smtp) && Array.isArray(doc.smtp.profiles)
          ? { ...doc.smtp, profiles: doc.smtp.profiles.map((p: unknown) => (isPlainObject(p) ? { maxConnections: 2, ...p } : p)) }
          : doc.smtp,
    }),
  },
  {
    // Version 4 brought OAuth2 sign-in: provider, tenant, the app registration and the send method.
    from: 3,
    migrate: (doc) => ({
      ...doc,
      smtp:
        isPlainObject(doc.smtp) && Array.isArray(doc.smtp.profiles)
          ? {
              ...doc.smtp,
              profiles: doc.smtp.profiles.map((p: unknown) =>
                isPlainObject(p) ? { oauthProvider: 'microsoft365', tenant: 'organizations', clientId: '', sendMethod: 'smtp', ...p } : p,
              ),
            }
          : doc.smtp,
    }),
  },
  {
    // Version 5 brought the mail options (compose and send modes) and the system users.
    from: 4,
    migrate: (doc) => ({
      ...doc,
      mail: isPlainObject(doc.mail)
        ? doc.mail
        : { allowM365Web: false, compose: 'builtin', composeUserSelectable: false, send: 'smtp', sendUserSelectable: false },
      users: Array.isArray(doc.users) ? doc.users : [],
    }),
  },
];

export type MigrationOutcome =
  | { ok: true; doc: Doc; from: number; migrated: boolean }
  | { ok: false; reason: 'not-an-object' | 'bad-version' | 'newer-version'; version?: unknown };

export function isPlainObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function migrateSettings(
  raw: unknown,
  migrations: readonly Migration[] = MIGRATIONS,
  target: number = SETTINGS_VERSION,
): MigrationOutcome {
  if (!isPlainObject(raw)) return { ok: false, reason: 'not-an-object' };
  const version = raw.version === undefined ? 0 : raw.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return { ok: false, reason: 'bad-version', version };
  }
  if (version > target) return { ok: false, reason: 'newer-version', version };
  let doc: Doc = raw;
  for (let v = version; v < target; v++) {
    const step = migrations.find((m) => m.from === v);
    if (!step) return { ok: false, reason: 'bad-version', version };
    doc = step.migrate(doc);
    doc.version = v + 1;
  }
  return { ok: true, doc, from: version, migrated: version !== target };
}
