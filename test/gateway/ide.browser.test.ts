import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

/*
 * The offline GraphQL IDE (issue 17, point 5): GET /graphql in a browser opens
 * GraphiQL from files the gateway serves itself, in headless Chromium with no
 * network beyond the hub (every other request is refused and recorded); a
 * query runs through it; production mode serves no IDE.
 */

const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));

describe.skipIf(!existsSync(CHROMIUM))(`the GraphQL IDE in headless Chromium (${CHROMIUM}; skipped when absent, .ci/run installs it)`, () => {
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    hub = await startTestHub({ learners: 20 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('loads with nothing from outside the hub, and runs a query against the graph', async () => {
    const origin = new URL(hub.hub.gatewayUrl).origin;
    const context = await browser.newContext();
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin !== origin && !url.startsWith('data:') && !url.startsWith('blob:')) {
        outside.push(url);
        return route.abort();
      }
      return route.continue();
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    const response = await page.goto(hub.hub.gatewayUrl);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
    // The default query asks for the institutions (public data); run it.
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('"institutions"'), undefined, { timeout: 20_000 });
    const result = (await page.textContent('.result-window')) ?? '';
    // The result pane draws only the lines in view: the first institution, in registry order, is among them.
    expect(result).toContain(`"id": "${hub.hub.registry.members[0]?.id}"`);
    await page.screenshot({ path: `${OUTPUT}graphql-ide.png` });
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('leaves GraphQL GET requests and JSON clients to the graph', async () => {
    const get = await fetch(`${hub.hub.gatewayUrl}?query=${encodeURIComponent('{ institutions { id } }')}`, { headers: { accept: 'text/html,application/json' } });
    expect(get.headers.get('content-type')).toMatch(/json/);
    const json = await fetch(hub.hub.gatewayUrl, { headers: { accept: 'application/json' } });
    expect(json.headers.get('content-type')).not.toMatch(/html/);
  });

  it('is not served in production', async () => {
    const production = await startTestHub({ learners: 5, production: true });
    try {
      const page = await fetch(production.hub.gatewayUrl, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type') ?? '').not.toMatch(/html/);
      expect((await fetch(`${new URL(production.hub.gatewayUrl).origin}/graphql-ide/ide.js`)).status).toBe(404);
    } finally {
      await production.stop();
    }
  });
});
