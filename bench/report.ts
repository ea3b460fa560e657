/**
 * docs/benchmarks.md: machine, date, command, then per scenario its load, target, verdict and
 * one table with every server side by side (medians over repetitions) and the ratio of each
 * to @y/websocket-server.
 */
import type { MachineInfo } from './machine.ts';
import { median } from './stats.ts';
import type { MedianTable, Mode, RunOutcome, Scenario, Verdict } from './scenarios/types.ts';
import { SERVERS, SERVER_NAMES, type ServerName } from './servers/targets.ts';

export interface ScenarioResults {
  scenario: Scenario;
  servers: ServerName[];
  repetitions: number;
  runs: Map<ServerName, RunOutcome[]>;
}

export interface ReportInput {
  machine: MachineInfo;
  /** The machine again at the end, for its load average. */
  machineAtEnd: MachineInfo;
  date: Date;
  command: string;
  mode: Mode;
  durationMs: number;
  results: ScenarioResults[];
}

export function medianTable(runs: Map<ServerName, RunOutcome[]>): MedianTable {
  const table: MedianTable = new Map();
  for (const [server, outcomes] of runs) {
    const rows = new Map<string, Record<string, number[]>>();
    for (const outcome of outcomes) {
      for (const { row, values } of outcome.rows) {
        const collected = rows.get(row) ?? {};
        for (const [key, value] of Object.entries(values)) (collected[key] ??= []).push(value);
        rows.set(row, collected);
      }
    }
    const medians = new Map<string, Record<string, number>>();
    for (const [row, collected] of rows) {
      medians.set(
        row,
        Object.fromEntries(Object.entries(collected).map(([key, values]) => [key, median(values)])),
      );
    }
    table.set(server, medians);
  }
  return table;
}

function format(value: number | undefined, digits: number): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return '∞';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function verdictText(verdict: Verdict): string {
  return `**${verdictWord(verdict)}** (${verdict.detail})`;
}

function renderTable(result: ScenarioResults, medians: MedianTable): string[] {
  const servers = SERVER_NAMES.filter((name) => result.servers.includes(name));
  const ratioServers = servers.includes('yws') ? servers.filter((name) => name !== 'yws') : [];
  const header = [
    '',
    'metric',
    ...servers.map((name) => SERVERS[name].label),
    ...ratioServers.map((name) => `${SERVERS[name].label.split(' ')[0]} ÷ y-ws`),
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  const rowNames = [...new Set(servers.flatMap((name) => [...(medians.get(name)?.keys() ?? [])]))];
  for (const row of rowNames) {
    for (const metric of result.scenario.metrics) {
      const values = servers.map((name) => medians.get(name)?.get(row)?.[metric.key]);
      if (values.every((value) => value === undefined)) continue;
      const yws = medians.get('yws')?.get(row)?.[metric.key];
      const ratios = ratioServers.map((name) => {
        const value = medians.get(name)?.get(row)?.[metric.key];
        return metric.ratio && value !== undefined && yws !== undefined && yws !== 0
          ? `${format(value / yws, 2)}×`
          : '';
      });
      const cells = [
        row,
        metric.label,
        ...values.map((value) => format(value, metric.digits)),
        ...ratios,
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return lines;
}

function renderHeader(input: ReportInput): string[] {
  const { machine } = input;
  const busiest = Math.max(machine.loadAverage, input.machineAtEnd.loadAverage);
  const shared =
    busiest > machine.cores / 2
      ? ' (other work shared the machine; see "other processes CPU" in the tables)'
      : '';
  return [
    '# Benchmarks',
    '',
    'Boardcast side by side with `@y/websocket-server@0.1.1` and `@hocuspocus/server@3.4.4`, each run as its',
    'own process on the same machine in the same run. Written by `npm run bench`; do not edit by hand.',
    '',
    `- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB, ${machine.platform}`,
    `- Node: ${machine.node}`,
    `- Load average (1 min) at start / end: ${machine.loadAverage.toFixed(2)} / ${input.machineAtEnd.loadAverage.toFixed(2)}${shared}`,
    `- Date: ${input.date.toISOString()}`,
    `- Command: \`${input.command}\` (${input.mode} mode, took ${(input.durationMs / 1000).toFixed(0)} s)`,
  ];
}

const METHOD = [
  '## How it measures',
  '',
  '- Every server is started fresh for every scenario and repetition, with `node --expose-gc --import tsx',
  "  --import bench/servers/probe.ts`; the probe answers IPC requests with the server's own",
  '  `process.cpuUsage()` and `process.memoryUsage()` (after `gc()` where memory is compared). A server too',
  '  overloaded to answer within 1 s has its CPU read from `/proc/<pid>/stat` instead (noted under the table).',
  '- Boardcast runs with its defaults except the per-IP caps (`MAX_CONNECTIONS_PER_IP`, `MAX_SSE_STREAMS_PER_IP`,',
  '  `MAX_LONG_POLLS_PER_IP` = 1,000,000): every bench client comes from 127.0.0.1, and the references have no caps.',
  '  Its per-connection rate limits stay on (the loads stay below them). Scenario-specific settings are in the text.',
  '- Server order alternates between repetitions (Boardcast, y-ws, Hocuspocus, then reversed); tables show',
  '  medians over repetitions, and the ratio of each server to @y/websocket-server where a ratio means something.',
  '- Load comes from one process: readers send only sync step 1 with an empty state vector (Hocuspocus: after an',
  '  empty auth token, which it requires even without auth hooks) and then only receive. Writers store a marker',
  "  `~m<seq>:<sent at>~` in a shape's `text`; readers find it in the raw frame bytes, so latency is one",
  '  `performance.now()` clock and nobody decodes Yjs. Cursor latency works the same with `cursor.x`.',
  '- With many readers in one process, part of each latency is the bench handing the frame to the readers in',
  '  turn (a few ms at 200–500 readers); it is the same for every server, so compare servers, not absolutes.',
  '- After each load, two full Yjs clients join and must show every writer\'s final shape ("converged").',
  '- "load generator CPU" is the bench process\'s own CPU over the window; near 100 % it would be the bottleneck.',
  '  "other processes CPU" comes from `/proc/stat`: what the rest of the machine used meanwhile (high = noisy numbers).',
];

function verdictWord(verdict: Verdict): string {
  return verdict.met === null ? 'not decided' : verdict.met ? 'met' : 'missed';
}

function renderExplanation(sentences: string[]): string[] {
  if (sentences.length === 0) return [];
  return ['', 'What it is made of:', '', ...sentences.map((sentence) => `- ${sentence}`)];
}

function renderSection(
  result: ScenarioResults,
  mode: Mode,
  medians: MedianTable,
  verdict: Verdict,
): string[] {
  const { scenario, repetitions } = result;
  const lines = [
    '',
    `## ${scenario.title}`,
    '',
    `${scenario.describe(mode)} ${repetitions} repetition${repetitions === 1 ? '' : 's'}.`,
    '',
    `Target: ${scenario.target}. Boardcast: ${verdictText(verdict)}.`,
    '',
    ...renderTable(result, medians),
    ...renderExplanation(scenario.explain?.(medians) ?? []),
  ];
  const notes = [...result.runs].flatMap(([server, outcomes]) =>
    outcomes.flatMap((outcome, rep) =>
      outcome.notes.map((note) => `- ${SERVERS[server].label}, run ${rep + 1}: ${note}`),
    ),
  );
  return notes.length > 0 ? [...lines, '', 'Notes:', '', ...notes] : lines;
}

export function renderReport(input: ReportInput): string {
  const summary = [
    '## Summary',
    '',
    '| scenario | target | Boardcast | measured |',
    '|---|---|---|---|',
  ];
  const sections: string[] = [];
  for (const result of input.results) {
    const medians = medianTable(result.runs);
    const verdict = result.scenario.judge(medians);
    summary.push(
      `| ${result.scenario.name} | ${result.scenario.target} | ${verdictWord(verdict)} | ${verdict.detail} |`,
    );
    sections.push(...renderSection(result, input.mode, medians, verdict));
  }
  return [...renderHeader(input), '', ...METHOD, '', ...summary, ...sections, ''].join('\n');
}
