import { describe, expect, it } from 'vitest';
import { migrateSettings, type Migration } from '../../../main/services/settings/migrations';

const MAIL = { allowM365Web: false, compose: 'builtin', composeUserSelectable: false, send: 'smtp', sendUserSelectable: false };

describe('settings migrations', () => {
  it('reads a document without a version as the first layout, then brings it up to date', () => {
    const out = migrateSettings({ general: { organisationName: 'Acme' } });
    expect(out).toEqual({
      ok: true,
      doc: { general: { organisationName: 'Acme', defaultProfile: '' }, smtp: { profiles: [] }, outbox: { retryForHours: 48 }, version: 5, mail: MAIL, users: [] },
      from: 0,
      migrated: true,
    });
  });

  it('adds SMTP profiles and the default profile to a version 1 document, keeping its values', () => {
    const v1 = { version: 1, general: { organisationName: 'Acme', alertFrom: 'a@acme.example' } };
    expect(migrateSettings(v1)).toEqual({
      ok: true,
      doc: { version: 5, general: { organisationName: 'Acme', alertFrom: 'a@acme.example', defaultProfile: '' }, smtp: { profiles: [] }, outbox: { retryForHours: 48 }, mail: MAIL, users: [] },
      from: 1,
      migrated: true,
    });
  });

  it('gives version 2 profiles a connection cap and the outbox its retry period', () => {
    const v2 = { version: 2, general: {}, smtp: { profiles: [{ id: 'p1', name: 'Office', maxConnections: 5 }, { id: 'p2', name: 'Relay' }] } };
    expect(migrateSettings(v2)).toMatchObject({
      ok: true,
      doc: { version: 5, outbox: { retryForHours: 48 }, smtp: { profiles: [{ id: 'p1', maxConnections: 5 }, { id: 'p2', maxConnections: 2 }] } },
    });
  });

  it('gives version 3 profiles password sign-in with the OAuth2 fields at their defaults', () => {
    const v3 = { version: 3, general: {}, outbox: { retryForHours: 48 }, smtp: { profiles: [{ id: 'p1', name: 'Office', authModel: 'basic', tenant: 'contoso.com' }] } };
    expect(migrateSettings(v3)).toEqual({
      ok: true,
      doc: {
        version: 5,
        general: {},
        outbox: { retryForHours: 48 },
        mail: MAIL,
        users: [],
        smtp: { profiles: [{ id: 'p1', name: 'Office', authModel: 'basic', oauthProvider: 'microsoft365', tenant: 'contoso.com', clientId: '', sendMethod: 'smtp' }] },
      },
      from: 3,
      migrated: true,
    });
  });

  it('gives version 4 documents the default mail options and no users, keeping what is there', () => {
    const v4 = { version: 4, general: {}, smtp: { profiles: [] }, outbox: { retryForHours: 1 } };
    expect(migrateSettings(v4)).toEqual({ ok: true, doc: { ...v4, version: 5, mail: MAIL, users: [] }, from: 4, migrated: true });
  });

  it('leaves a current document alone', () => {
    const doc = { version: 5, general: {}, smtp: { profiles: [] }, outbox: { retryForHours: 1 }, mail: MAIL, users: [] };
    expect(migrateSettings(doc)).toEqual({ ok: true, doc, from: 5, migrated: false });
  });

  it('runs every step in order up to the target', () => {
    const steps: Migration[] = [
      { from: 1, migrate: (d) => ({ ...d, a: 'added in 2' }) },
      { from: 2, migrate: (d) => ({ ...d, b: `${String(d.a)}, then 3` }) },
    ];
    const out = migrateSettings({ version: 1 }, steps, 3);
    expect(out).toEqual({ ok: true, doc: { version: 3, a: 'added in 2', b: 'added in 2, then 3' }, from: 1, migrated: true });
  });

  it('refuses a newer version, a broken version and a non-object', () => {
    expect(migrateSettings({ version: 99 })).toEqual({ ok: false, reason: 'newer-version', version: 99 });
    expect(migrateSettings({ version: 'one' })).toEqual({ ok: false, reason: 'bad-version', version: 'one' });
    expect(migrateSettings({ version: 1.5 })).toMatchObject({ ok: false, reason: 'bad-version' });
    expect(migrateSettings([1, 2])).toEqual({ ok: false, reason: 'not-an-object' });
    expect(migrateSettings(null)).toEqual({ ok: false, reason: 'not-an-object' });
  });

  it('fails when a step is missing rather than skipping it', () => {
    expect(migrateSettings({ version: 1 }, [], 2)).toMatchObject({ ok: false, reason: 'bad-version' });
  });
});
