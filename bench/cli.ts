/**
 * Command line of `npm run bench`:
 *   --quick                 one repetition, shorter loads (≤ 2 minutes)
 *   --only a,b              only these scenarios (development)
 *   --servers ours,yws,…    only these servers (development)
 *   --write                 write docs/benchmarks.md even for a partial (--only/--servers) run
 */
import { SERVER_NAMES, isServerName, type ServerName } from './servers/targets.ts';
import type { Mode } from './scenarios/types.ts';

export interface BenchOptions {
  mode: Mode;
  only: string[] | null;
  servers: ServerName[];
  /** Whether this run may replace docs/benchmarks.md. */
  writeReport: boolean;
  partial: boolean;
}

function list(value: string | undefined, flag: string): string[] {
  if (!value || value.startsWith('--')) throw new Error(`${flag} needs a comma-separated list`);
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function parseOptions(
  argv: readonly string[],
  scenarioNames: readonly string[],
): BenchOptions {
  let mode: Mode = 'full';
  let only: string[] | null = null;
  let servers: ServerName[] = [...SERVER_NAMES];
  let write = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--quick') mode = 'quick';
    else if (arg === '--write') write = true;
    else if (arg === '--only') {
      only = list(argv[++index], arg);
      const unknown = only.filter((name) => !scenarioNames.includes(name));
      if (unknown.length > 0)
        throw new Error(
          `unknown scenario ${unknown.join(', ')}; known: ${scenarioNames.join(', ')}`,
        );
    } else if (arg === '--servers') {
      const names = list(argv[++index], arg);
      const unknown = names.filter((name) => !isServerName(name));
      if (unknown.length > 0)
        throw new Error(`unknown server ${unknown.join(', ')}; known: ${SERVER_NAMES.join(', ')}`);
      servers = SERVER_NAMES.filter((name) => names.includes(name));
    } else {
      throw new Error(
        `unknown argument ${arg}; use --quick, --only <scenarios>, --servers <servers>, --write`,
      );
    }
  }
  const partial = only !== null || servers.length < SERVER_NAMES.length;
  return { mode, only, servers, writeReport: !partial || write, partial };
}
