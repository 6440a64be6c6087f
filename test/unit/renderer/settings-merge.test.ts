// Carrying the dialog's edits over onto settings saved elsewhere, and naming what changed.
import { describe, expect, it } from 'vitest';
import { changedPaths, listSome, rebase } from '../../../renderer/src/settings/settings-merge';

const base = { general: { name: 'Harbour', alert: 'a@x.example' }, outbox: { hours: 48 }, profiles: [{ id: 'p1', host: 'smtp.x' }] };

describe('rebase', () => {
  it('keeps their change where the user changed nothing, and the user’s where they did', () => {
    const mine = { ...base, general: { ...base.general, name: 'Mine' } };
    const theirs = { ...base, outbox: { hours: 12 } };
    expect(rebase(base, mine, theirs)).toEqual({ ...base, general: { ...base.general, name: 'Mine' }, outbox: { hours: 12 } });
  });

  it('lets the user’s value win where both changed the same one, and takes a list both changed whole from the user', () => {
    const mine = { ...base, outbox: { hours: 24 }, profiles: [{ id: 'p1', host: 'mine' }] };
    const theirs = { ...base, outbox: { hours: 60 }, profiles: [{ id: 'p1', host: 'smtp.x' }, { id: 'p2', host: 'theirs' }] };
    expect(rebase(base, mine, theirs)).toEqual(mine);
  });
});

describe('changedPaths and listSome', () => {
  it('names the leaves that differ, and at most three of them', () => {
    const after = { ...base, general: { name: 'B', alert: 'b@x.example' }, outbox: { hours: 1 }, profiles: [{ id: 'p1', host: 'y' }, { id: 'p2', host: 'z' }] };
    const changed = changedPaths(base, after);
    expect(changed).toEqual(['general.name', 'general.alert', 'outbox.hours', 'profiles.0.host', 'profiles.1.id', 'profiles.1.host']);
    expect(listSome(changed)).toBe('general.name, general.alert, outbox.hours and 3 more');
    expect(listSome(['a', 'b'])).toBe('a and b');
    expect(changedPaths(base, structuredClone(base))).toEqual([]);
  });
});
