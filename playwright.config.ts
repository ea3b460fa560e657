// Browser tests (test/e2e): the system Chromium, headless, one worker. The tests start their
// own server (test/helpers/test-server.ts), which serves the built client: run `npx vite build`
// first (npm test does).
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

const CHROMIUM_PATH = '/usr/bin/chromium';
if (!existsSync(CHROMIUM_PATH)) {
  throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run \`apt-get install -y chromium\``);
}

export default defineConfig({
  testDir: 'test/e2e',
  workers: 1,
  retries: 0,
  fullyParallel: false,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    actionTimeout: 10_000,
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
