import { expect, it } from 'vitest';
import { parseDuration } from './watch.js';

it('reads --interval and --quiet-after durations', () => {
  expect(parseDuration('2s')).toBe(2000);
  expect(parseDuration('500ms')).toBe(500);
  expect(parseDuration('1.5m')).toBe(90_000);
  expect(parseDuration('1h')).toBe(3_600_000);
  expect(parseDuration('3')).toBe(3000);
  expect(parseDuration('0s')).toBeNull();
  expect(parseDuration('soon')).toBeNull();
});
