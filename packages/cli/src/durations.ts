/** Durations and instants as an operator reads them: "12 s", "3 min", "in 5 h 2 min", "2 d 1 h ago". */

/** A duration in its two largest units: "12 s", "3 min", "5 h 2 min", "2 d 1 h". */
export function formatDuration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** `at` relative to `now`: "in 12 s" or "3 min ago". */
export function relativeTime(at: Date, now: Date): string {
  const ms = at.getTime() - now.getTime();
  return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(ms)} ago`;
}

/** `at` as ISO 8601 with its relative time: "2026-11-23T15:27:01.000Z (3 min ago)". */
export function instant(at: Date, now: Date): string {
  return `${at.toISOString()} (${relativeTime(at, now)})`;
}
