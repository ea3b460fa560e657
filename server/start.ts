/**
 * `npm start`: builds the client when dist/ is missing or older than any client source, then
 * runs the server. The build needs the dev dependencies (Vite); a deployment that ships a
 * prebuilt dist/ never builds here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['client', 'common', 'vite.config.ts', 'package.json'];
const BUILT_PAGE = path.join(ROOT, 'dist', 'editor.html');

function newestMtimeMs(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs
    .readdirSync(entry)
    .reduce(
      (newest, name) => Math.max(newest, newestMtimeMs(path.join(entry, name))),
      stat.mtimeMs,
    );
}

export function clientBuildIsStale(): boolean {
  const built = fs.statSync(BUILT_PAGE, { throwIfNoEntry: false });
  if (!built) return true;
  return SOURCES.some((source) => newestMtimeMs(path.join(ROOT, source)) > built.mtimeMs);
}

if (clientBuildIsStale()) {
  process.stdout.write('boardcast: building the client (dist/ is missing or stale)…\n');
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}
await import('./main.ts');
