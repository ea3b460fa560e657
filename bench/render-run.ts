/**
 * `npm run bench:render`: the editor's rendering of a 10,000-shape board in headless Chromium
 * (Debian's, software rendering): pan frame p50/p95 at zoom 1 and zoomed out to the whole board.
 * Targets (issue: editor): p95 ≤ 16.7 ms at zoom 1, ≤ 33 ms zoomed out. Writes
 * docs/render-benchmark.md. Our server runs in-process on a loopback port; nothing else is needed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { createBoardcastServer } from '../server/app.ts';
import { parseConfig } from '../server/config.ts';
import { measureEditorRender, measurePanFrames, type PanFrames } from './render.ts';

const SHAPES = 10_000;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '..');
const TARGETS = { zoomOne: 16.7, zoomedOut: 33 };

async function ensureClientBuilt(): Promise<void> {
  if (fs.existsSync(path.join(ROOT, 'dist', 'editor.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

function row(name: string, frames: PanFrames, target: number): string {
  const met = frames.p95Ms <= target ? 'met' : 'missed';
  return `| ${name} | ${frames.zoom.toFixed(2)} | ${frames.visibleShapes} | ${frames.p50Ms.toFixed(2)} | ${frames.p95Ms.toFixed(2)} | ≤ ${target} | ${met} |`;
}

async function main(): Promise<void> {
  await ensureClientBuilt();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'boardcast-render-'));
  const server = createBoardcastServer({
    config: parseConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
  });
  const port = await server.listen();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`http://127.0.0.1:${port}/board/render-bench?name=Bench`);
    const setup = await measureEditorRender(page, SHAPES);
    const zoomOne = await measurePanFrames(page, 1);
    const zoomedOut = await measurePanFrames(page, 'fit');
    const lines = [
      '# Render benchmark',
      '',
      `Written by \`npm run bench:render\` on ${new Date().toISOString()}: ${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, Node ${process.version}, Chromium at ${CHROMIUM} (headless, --disable-gpu: software rendering), page 1280×720.`,
      '',
      `A board of ${SHAPES.toLocaleString('en')} rectangles in the editor. Adding them: ${setup.addMs.toFixed(0)} ms; one full draw of the shape layer: ${setup.sceneDrawMs.toFixed(1)} ms.`,
      'Each pan frame moves the viewport (culling included) and draws the shape layer synchronously, as a drag does once per animation frame.',
      '',
      '| view | zoom | shapes drawn | p50 frame (ms) | p95 frame (ms) | target p95 | |',
      '|---|---|---|---|---|---|---|',
      row('zoom 1', zoomOne, TARGETS.zoomOne),
      row('whole board', zoomedOut, TARGETS.zoomedOut),
      '',
    ];
    fs.writeFileSync(path.join(ROOT, 'docs', 'render-benchmark.md'), lines.join('\n'));
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
