import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, which .ci/run installs (playwright-core downloads no browser). */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Headless Chromium as the browser tests drive it: no sandbox (CI runs as root), no network of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
  });
}
