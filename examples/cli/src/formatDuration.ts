/**
 * A duration for people: "850 ms", "4.2 s", "2 min 05 s".
 *
 * @example
 * formatDuration(125_000) // "2 min 05 s"
 */
export function formatDuration(milliseconds: number): string {
  const value = Math.max(0, milliseconds);
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(1)} s`;
  const seconds = Math.round(value / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}
