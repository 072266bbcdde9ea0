/**
 * Calendar fields of a UTC timestamp (epoch milliseconds), by integer arithmetic only: no `Date`
 * object per value, and the same float64 operations on every path. Out-of-range or missing
 * input (beyond ±8.64e15 ms, the range of a JavaScript Date) gives NaN, which formulas read as
 * missing.
 *
 * The civil-date conversion is Howard Hinnant's `civil_from_days` (proleptic Gregorian).
 */

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;
const MAX_MS = 8.64e15;

/** Whole days since 1970-01-01, or NaN. */
function daysOf(t: number): number {
  if (!(t >= -MAX_MS && t <= MAX_MS)) return NaN;
  const days = Math.floor(t / MS_PER_DAY);
  // The quotient can round up onto a whole day when t is just below it; days * MS_PER_DAY is
  // exact (< 2^53), so the sign of the remainder tells.
  return t - days * MS_PER_DAY < 0 ? days - 1 : days;
}

/** Hour of the day, 0–23. */
export function hourOf(t: number): number {
  const days = daysOf(t);
  if (days !== days) return NaN;
  // For t a hair below midnight the remainder can round up to a full day: still hour 23.
  return Math.min(23, Math.floor((t - days * MS_PER_DAY) / MS_PER_HOUR));
}

/** Day of the week, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOf(t: number): number {
  const days = daysOf(t);
  if (days !== days) return NaN;
  return (((days + 3) % 7) + 7) % 7;
}

/** The civil date of day number `days`: [year, month 1–12, day 1–31]. */
function civil(days: number, field: 0 | 1 | 2): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  if (field === 2) return d;
  if (field === 1) return m;
  return yoe + era * 400 + (m <= 2 ? 1 : 0);
}

/** Day of the month, 1–31. */
export function dayOf(t: number): number {
  const days = daysOf(t);
  return days !== days ? NaN : civil(days, 2);
}

/** Month, 1–12. */
export function monthOf(t: number): number {
  const days = daysOf(t);
  return days !== days ? NaN : civil(days, 1);
}

/** Year (astronomical: the year before 1 is 0). */
export function yearOf(t: number): number {
  const days = daysOf(t);
  return days !== days ? NaN : civil(days, 0);
}
