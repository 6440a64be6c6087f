// Which Activity columns a table of a given width shows: all of them in a wide window, the ones
// that matter least giving way in a narrow one, never a column squeezed below its width.
import { describe, expect, it } from 'vitest';
import { OUTBOX_COLUMNS, SUBJECT_MIN_WIDTH, visibleColumns } from '../../../renderer/src/activity/activity-format';

const widthOf = (ids: ReadonlySet<string>) => OUTBOX_COLUMNS.filter((c) => ids.has(c.id)).reduce((sum, c) => sum + (c.width ?? SUBJECT_MIN_WIDTH), 0);

describe('visibleColumns', () => {
  it('shows every column when the subject keeps its minimum width', () => {
    const all = OUTBOX_COLUMNS.reduce((sum, c) => sum + (c.width ?? SUBJECT_MIN_WIDTH), 0);
    expect([...visibleColumns(all)]).toHaveLength(OUTBOX_COLUMNS.length);
    expect(visibleColumns(all - 1).has('reply')).toBe(false);
  });

  it('in a 1024-pixel window drops the last reply first, keeping every other column at its width', () => {
    // The window less the page's padding and a scroll bar.
    const shown = visibleColumns(1024 - 48 - 16);
    expect([...shown].sort()).toEqual(['actions', 'attempts', 'profile', 'recipients', 'state', 'subject', 'updated']);
    expect(widthOf(shown)).toBeLessThanOrEqual(1024 - 48 - 16);
  });

  it('in an 800-pixel window keeps state, recipients, subject, when and the actions', () => {
    expect([...visibleColumns(800 - 48 - 16)].sort()).toEqual(['actions', 'recipients', 'state', 'subject', 'updated']);
  });

  it('never drops state, subject or the actions, and fits whatever it shows', () => {
    for (let width = 200; width <= 1400; width += 10) {
      const shown = visibleColumns(width);
      expect(shown.has('state') && shown.has('subject') && shown.has('actions')).toBe(true);
      if (shown.size > 3) expect(widthOf(shown)).toBeLessThanOrEqual(width);
    }
  });

  it('no column it shows is narrower than 80 pixels', () => {
    expect(OUTBOX_COLUMNS.every((c) => (c.width ?? SUBJECT_MIN_WIDTH) >= 80)).toBe(true);
  });
});
