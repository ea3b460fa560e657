/**
 * Pages opened in a browser context of their own with device or preference options (a phone
 * with touch, a dark system theme), for the mobile, theme and recent-boards tests. Uncaught
 * page errors are collected in `errors`; close the contexts with `closeAll`.
 */
import type { Browser, BrowserContextOptions, Page } from '@playwright/test';
import { waitForConnected } from './fixtures.ts';

/** A phone: 390×844 CSS pixels, touch, mobile viewport (the iPhone-sized screen). */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  hasTouch: true,
  isMobile: true,
  deviceScaleFactor: 2,
};

export class DevicePages {
  readonly errors: string[] = [];
  private readonly contexts: Awaited<ReturnType<Browser['newContext']>>[] = [];

  constructor(private readonly browser: Browser) {}

  /** Opens `url` in a new context with `options`; an editor URL waits until connected. */
  async open(url: string, options: BrowserContextOptions = {}): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: { width: 1280, height: 800 },
      ...options,
    });
    this.contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => this.errors.push(`${url}: ${error.message}`));
    await page.goto(url);
    if (url.includes('/board/')) await waitForConnected(page);
    return page;
  }

  async closeAll(): Promise<void> {
    for (const context of this.contexts) await context.close();
  }
}

/** The RGB of the canvas at page point (x, y), read from the Konva stage's pixels. */
export function canvasPixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ({ px, py }) => {
      const canvas = window.__boardcast.stage().toCanvas({ pixelRatio: 1 });
      const rect = window.__boardcast.stage().container().getBoundingClientRect();
      const data = canvas
        .getContext('2d')
        ?.getImageData(Math.round(px - rect.left), Math.round(py - rect.top), 1, 1).data;
      return data ? [data[0] ?? 0, data[1] ?? 0, data[2] ?? 0, data[3] ?? 0] : [];
    },
    { px: x, py: y },
  );
}
