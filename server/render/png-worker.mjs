// The PNG thumbnail renderer's worker thread (server/render/png-renderer.ts): parses an SVG and
// rasterises it with resvg, off the main thread, so a big board never stalls sync. Plain
// JavaScript so it runs under any loader (tsx or not). Messages: { id, svg, fit: { mode, value } }
// in, { id, png } or { id, error } out; `workerData.fontFiles` are the fonts text is drawn with.
import { parentPort, workerData } from 'node:worker_threads';
import { Resvg } from '@resvg/resvg-js';

const fontFiles = workerData?.fontFiles ?? [];
const family = workerData?.fontFamily ?? '';

parentPort?.on('message', ({ id, svg, fit }) => {
  try {
    const resvg = new Resvg(svg, {
      fitTo: fit,
      // Scanning the system's fonts costs seconds per render; the chosen files take milliseconds.
      font: {
        loadSystemFonts: false,
        fontFiles,
        defaultFontFamily: family,
        sansSerifFamily: family,
      },
      logLevel: 'off',
    });
    const png = resvg.render().asPng();
    const bytes = new Uint8Array(png.buffer, png.byteOffset, png.byteLength).slice();
    parentPort?.postMessage({ id, png: bytes }, [bytes.buffer]);
  } catch (error) {
    parentPort?.postMessage({ id, error: String(error?.message ?? error) });
  }
});
