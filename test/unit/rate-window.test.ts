import { describe, expect, it } from 'vitest';
import { busiestWindow } from '../helpers/rate-window';

describe('busiest 60-second window (the measure of the rate limit)', () => {
  it('counts starts within any 60 s, the edges excluded at the old end', () => {
    expect(busiestWindow([])).toBe(0);
    expect(busiestWindow([0, 1, 2])).toBe(3);
    expect(busiestWindow([0, 60_000])).toBe(1);
    expect(busiestWindow([0, 59_999])).toBe(2);
    expect(busiestWindow([0, 10_000, 20_000, 65_000, 66_000, 67_000, 68_000])).toBe(6);
    expect(busiestWindow([0, 10_000, 20_000, 75_000, 76_000])).toBe(3);
  });
});
