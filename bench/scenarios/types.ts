/** What a scenario is and what one run of it returns. */
import type { RunningServer } from '../servers/launch.ts';
import type { ServerName } from '../servers/targets.ts';

export type Mode = 'quick' | 'full';

export interface MetricSpec {
  key: string;
  label: string;
  /** Decimal places in the report. */
  digits: number;
  /** Whether ratios to @y/websocket-server mean anything for this metric. */
  ratio?: boolean;
}

/** One row of one run: e.g. row "50 clients" with { p50Ms, p99Ms, … }. */
export interface RowResult {
  row: string;
  values: Record<string, number>;
}

export interface RunOutcome {
  rows: RowResult[];
  /** Anything a reader of the report should know about this run (refusals, failures). */
  notes: string[];
}

export interface ScenarioContext {
  server: RunningServer;
  mode: Mode;
  /** Repetition index, for unique room names. */
  rep: number;
  log(message: string): void;
}

/** Medians across repetitions: server → row → metric → value. */
export type MedianTable = Map<ServerName, Map<string, Record<string, number>>>;

export interface Verdict {
  /** null when the run could not decide (ours missing, or failed). */
  met: boolean | null;
  detail: string;
}

export interface Scenario {
  name: string;
  title: string;
  /** The load, in words, for the mode. */
  describe(mode: Mode): string;
  target: string;
  /** Runs only against Boardcast (the references lack the feature). */
  oursOnly: boolean;
  /** Repetitions in full mode (quick mode always runs one). */
  fullRepetitions: number;
  /** Environment for the server processes, beyond port, host, data dir and log level. */
  serverEnv?: Record<string, string>;
  metrics: MetricSpec[];
  run(context: ScenarioContext): Promise<RunOutcome>;
  judge(medians: MedianTable): Verdict;
  /**
   * What the measured cost is made of, in sentences built from this run's medians (a breakdown
   * the scenario measured, e.g. event-loop delay or commit time beside the latency): printed
   * under the table as "What it is made of". Optional.
   */
  explain?(medians: MedianTable): string[];
}
