/**
 * Times from untrusted metadata (`ss_training_started_at` = `nan`, `inf` or `1e20` in a hostile or
 * broken LoRA): `new Date(x).toISOString()` throws a RangeError outside ±8.64e15 ms, so every
 * conversion goes through these two total functions instead.
 */

/** ECMAScript's Date range: ±10⁸ days from the epoch, in seconds. */
const MAX_UNIX_SECONDS = 8.64e12;

/** The value as unix seconds when it is a number a Date can hold, else undefined. */
export function unixSeconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_UNIX_SECONDS ? value : undefined;
}

/** `2024-05-01 12:00:00Z` (or with `T` for `sep: 'T'`); `invalid time (<value>)` for what no Date can hold. */
export function formatUnixTime(unix: number, sep: ' ' | 'T' = ' '): string {
  if (unixSeconds(unix) === undefined) return `invalid time (${unix})`;
  return new Date(unix * 1000)
    .toISOString()
    .replace('T', sep)
    .replace(/\.\d+Z$/, 'Z');
}
