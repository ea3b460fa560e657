/**
 * Sections of docs/benchmarks.md that other benches write (`npm run bench:history`), between
 * markers: `npm run bench` rewrites the rest of the file and keeps them as they are.
 */
export const HISTORY_START = '<!-- history-cost:start -->';
export const HISTORY_END = '<!-- history-cost:end -->';

/** The kept section of `report` (with a blank line before it), or '' when there is none. */
export function keptSection(report: string): string {
  const start = report.indexOf(HISTORY_START);
  const end = report.indexOf(HISTORY_END);
  return start >= 0 && end > start ? `\n${report.slice(start, end + HISTORY_END.length)}\n` : '';
}

/** `report` with its kept section replaced by `section` (appended when it has none). */
export function withSection(report: string, section: string): string {
  const start = report.indexOf(HISTORY_START);
  const end = report.indexOf(HISTORY_END);
  if (start >= 0 && end > start)
    return report.slice(0, start) + section + report.slice(end + HISTORY_END.length);
  return `${report.trimEnd()}\n\n${section}\n`;
}
