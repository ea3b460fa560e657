/**
 * `npm run bench [-- --quick] [--only relay,idle] [--servers ours,yws,hocuspocus]`
 *
 * For each scenario and repetition, starts each server fresh as its own process (order
 * alternating between repetitions), runs the scenario's load against it, stops it, and at the
 * end writes docs/benchmarks.md with medians, ratios to @y/websocket-server and verdicts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseOptions, type BenchOptions } from './cli.ts';
import { keptSection } from './kept-sections.ts';
import { describeMachine } from './machine.ts';
import { renderReport, type ScenarioResults } from './report.ts';
import { SCENARIOS } from './scenarios/index.ts';
import type { RunOutcome, Scenario } from './scenarios/types.ts';
import { RunningServer } from './servers/launch.ts';
import { SERVERS, type ServerName } from './servers/targets.ts';

const REPORT_PATH = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
/** Upper bound on one scenario against one server; a run past it is recorded as failed. */
const RUN_TIMEOUT_MS = 240_000;
/** Output beyond the ready line worth mentioning in the report. */
const CHATTY_OUTPUT_BYTES = 4_096;

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took longer than ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runOnce(
  scenario: Scenario,
  name: ServerName,
  rep: number,
  options: BenchOptions,
): Promise<RunOutcome> {
  const started = performance.now();
  const tag = `[${scenario.name} #${rep + 1} ${name}]`;
  let server: RunningServer | null = null;
  try {
    server = await RunningServer.start(SERVERS[name], scenario.serverEnv);
    const running = server;
    const context = {
      server: running,
      mode: options.mode,
      rep,
      log: (message: string) => log(`${tag} ${message}`),
    };
    const outcome = await withTimeout(
      scenario.run(context),
      RUN_TIMEOUT_MS,
      `${scenario.name} on ${name}`,
    );
    if (running.exitCode !== null)
      outcome.notes.push(`server exited with ${running.exitCode} during the run`);
    if (running.outputBytes > CHATTY_OUTPUT_BYTES) {
      outcome.notes.push(
        `server wrote ${(running.outputBytes / 1024).toFixed(0)} KB of output, starting: ${running.firstOutput.slice(1).join(' / ')}`,
      );
    }
    return outcome;
  } catch (error) {
    const output = server?.recentOutput().split('\n').slice(-5).join(' | ');
    log(`${tag} failed: ${errorText(error)}${output ? `\n  server output: ${output}` : ''}`);
    return { rows: [], notes: [`failed: ${errorText(error).split('\n')[0]}`] };
  } finally {
    await server?.stop();
    log(`${tag} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

async function runScenario(scenario: Scenario, options: BenchOptions): Promise<ScenarioResults> {
  const servers = scenario.oursOnly
    ? options.servers.filter((name) => name === 'ours')
    : options.servers;
  const repetitions = options.mode === 'quick' ? 1 : scenario.fullRepetitions;
  const runs = new Map<ServerName, RunOutcome[]>(servers.map((name) => [name, []]));
  for (let rep = 0; rep < repetitions; rep++) {
    const order = rep % 2 === 0 ? servers : [...servers].reverse();
    for (const name of order) runs.get(name)?.push(await runOnce(scenario, name, rep, options));
  }
  return { scenario, servers, repetitions, runs };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseOptions(
    argv,
    SCENARIOS.map((scenario) => scenario.name),
  );
  const started = performance.now();
  const date = new Date();
  const machine = describeMachine();
  const selected = SCENARIOS.filter(
    (scenario) => options.only === null || options.only.includes(scenario.name),
  );
  const results: ScenarioResults[] = [];
  for (const scenario of selected) results.push(await runScenario(scenario, options));
  const report = renderReport({
    machine,
    machineAtEnd: describeMachine(),
    date,
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
    mode: options.mode,
    durationMs: performance.now() - started,
    results,
  });
  process.stdout.write(report);
  if (options.writeReport) {
    await writeFile(
      REPORT_PATH,
      report + keptSection(await readFile(REPORT_PATH, 'utf8').catch(() => '')),
    );
    log(`wrote ${REPORT_PATH}`);
  } else {
    log('partial run: docs/benchmarks.md left unchanged (add --write to replace it)');
  }
}

main().then(
  // Sockets of a timed-out run may still be open; the results are written, so exit now.
  () => process.exit(0),
  (error: unknown) => {
    log(`bench: ${errorText(error)}`);
    process.exit(1);
  },
);
