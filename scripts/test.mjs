#!/usr/bin/env node
// `npm test`: typecheck, unit and integration tests (node:test + tsx), a client build, then the
// browser tests (Playwright on Debian's Chromium). Ends with "tests: N passed, N failed, N skipped"
// and, when some were skipped, why (each reason with its count).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function testFiles(dir, suffix) {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return fs
    .readdirSync(full, { recursive: true })
    .filter((name) => name.endsWith(suffix))
    .map((name) => path.join(dir, name))
    .sort();
}

function run(title, command, args, env = {}) {
  process.stdout.write(`\n== ${title}\n`);
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  process.stdout.write(result.stdout ?? '');
  return { ok: result.status === 0, stdout: result.stdout ?? '' };
}

if (!fs.existsSync(CHROMIUM)) {
  console.error(
    `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (Debian), or set CHROMIUM_PATH.`,
  );
  process.exit(1);
}

let passed = 0;
let failed = 0;
let skipped = 0;
/** Skip reason → how many tests (or whole suites) it skipped. */
const skipReasons = new Map();
function noteSkip(reason) {
  const key = reason || '(no reason given)';
  skipReasons.set(key, (skipReasons.get(key) ?? 0) + 1);
  skipped++;
}

/**
 * `ok N - name # SKIP reason` lines of node:test's TAP report. A skipped `describe` is one line
 * (its tests never ran, so nobody knows how many): counted once, like a test.
 */
function tapSkips(file) {
  if (!fs.existsSync(file)) return;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*ok \d+ - .*?# SKIP ?(.*)$/.exec(line);
    if (match) noteSkip(match[1].trim());
  }
}

/** Skipped tests of a Playwright JSON report, with their `skip` annotations. */
function playwrightSkips(suite) {
  for (const spec of suite.specs ?? [])
    for (const test of spec.tests ?? [])
      if (test.status === 'skipped') {
        const note = (test.annotations ?? []).find((a) => a.type === 'skip' || a.type === 'fixme');
        noteSkip(`${spec.file ?? ''}: ${note?.description ?? '(no reason given)'}`);
      }
  for (const child of suite.suites ?? []) playwrightSkips(child);
}
const typecheck = run('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
if (typecheck.ok) passed++;
else failed++;

const nodeTests = [
  ...testFiles('test/unit', '.test.ts'),
  ...testFiles('test/integration', '.test.ts'),
];
const tapReport = path.join(os.tmpdir(), `boardcast-node-tests-${process.pid}.tap`);
const node = run('unit and integration tests', process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tapReport}`,
  `--test-concurrency=${Math.max(1, os.availableParallelism() - 1)}`,
  ...nodeTests,
]);
const count = (label) =>
  Number((new RegExp(`^\\S*\\s*${label} (\\d+)`, 'm').exec(node.stdout) ?? [])[1] ?? 0);
passed += count('pass');
failed += count('fail') + (node.ok || count('fail') > 0 ? 0 : 1);
tapSkips(tapReport);
fs.rmSync(tapReport, { force: true });

const build = run('client build', 'npx', ['vite', 'build', '--logLevel', 'warn']);
if (build.ok) passed++;
else failed++;

const report = path.join(os.tmpdir(), `boardcast-playwright-${process.pid}.json`);
const e2e = run('browser tests', 'npx', ['playwright', 'test', '--reporter=list,json'], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: report,
});
try {
  const json = JSON.parse(fs.readFileSync(report, 'utf8'));
  const stats = json.stats;
  passed += stats.expected + stats.flaky;
  failed += stats.unexpected;
  const before = skipped;
  (json.suites ?? []).forEach(playwrightSkips);
  for (let n = skipped - before; n < stats.skipped; n++)
    noteSkip('browser test: (no reason given)');
  if (!e2e.ok && stats.unexpected === 0) failed++;
} catch {
  failed++;
}

console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
for (const [reason, n] of skipReasons) console.log(`  skipped ${n}: ${reason}`);
process.exit(failed === 0 ? 0 : 1);
