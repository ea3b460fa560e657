/** Helpers for judging targets from the median table. */
import type { ServerName } from '../servers/targets.ts';
import type { MedianTable, Verdict } from './types.ts';

export function valueOf(
  medians: MedianTable,
  server: ServerName,
  row: string,
  key: string,
): number {
  return medians.get(server)?.get(row)?.[key] ?? Number.NaN;
}

export function rowsOf(medians: MedianTable, server: ServerName): string[] {
  return [...(medians.get(server)?.keys() ?? [])];
}

export const NOT_MEASURED: Verdict = {
  met: null,
  detail: 'Boardcast was not measured in this run',
};

/** Formats a number for a verdict sentence. */
export function show(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** Combines checks: met only when all are met; undecided when any is undecided. */
export function allOf(checks: { ok: boolean | null; text: string }[]): Verdict {
  const met = checks.some((check) => check.ok === null) ? null : checks.every((check) => check.ok);
  return {
    met,
    detail: checks
      .map((check) => `${check.ok === null ? '?' : check.ok ? '✔' : '✘'} ${check.text}`)
      .join('; '),
  };
}

/** A check that is undecided when any of the numbers is missing. */
export function check(
  ok: boolean,
  text: string,
  ...values: number[]
): { ok: boolean | null; text: string } {
  return { ok: values.every((value) => Number.isFinite(value)) ? ok : null, text };
}
