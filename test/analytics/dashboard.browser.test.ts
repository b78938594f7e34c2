import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../helpers/tokens.js';
import { seedFeedbackDemo } from '../../hub/feedback-demo.js';
import { startTestHub, TEST_LEARNERS, type TestHub } from '../helpers/hub.js';

/*
 * The analyst dashboard in a real headless Chromium (Debian's, installed by
 * .ci/run; no browser download): sign-in through the development identity
 * provider's page, charts drawn from the seeded data, filters, withheld
 * cells never revealed. The screenshots are kept under test-output/.
 */

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));
const COUNTS = 'enrolments completions passed ectsAwarded';

type Cell = { key: string | null; enrolments: number | null; completions: number | null; passed: number | null; ectsAwarded: number | null };
type Table = { k: number; columns: string[]; rows: { member: { id: string }; cells: Cell[]; total: Cell }[]; columnTotals: Cell[]; total: Cell };

let hub: TestHub;
let browser: Browser;
let origin: string;

async function published(by: string): Promise<Table> {
  const answer = await hub.query(
    `query($by: StatisticsDimension) { allianceStatistics(by: $by) { k columns rows { member { id } cells { key ${COUNTS} } total { ${COUNTS} } } columnTotals { key ${COUNTS} } total { ${COUNTS} } } }`,
    { by },
    await bearer(hub.hub, { role: 'analyst' }),
  );
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data!['allianceStatistics'] as Table;
}

/** Signs in through the dashboard's button and the development identity provider's page. */
async function signIn(page: Page, choose: (page: Page) => Promise<void> = async () => {}): Promise<void> {
  await page.goto(`${origin}/dashboard`);
  await page.click('#sign-in');
  await page.waitForURL(/\/dev-idp\/authorize/);
  await choose(page);
  await page.click('#sign-in');
  await page.waitForSelector('body[data-rendered="1"]', { timeout: 30_000 });
}

/** What a chart draws: each series' data, read from the ECharts instance in the page. */
function seriesOf(page: Page, panel: string): Promise<{ name: string; data: unknown[] }[]> {
  return page.evaluate((id) => {
    const element = document.querySelector(`#${id} .chart`) as HTMLElement;
    const instance = (window as unknown as { echarts: { getInstanceByDom(e: HTMLElement): { getOption(): { series: { name: string; data: unknown[] }[] } } } }).echarts.getInstanceByDom(element);
    return instance.getOption().series.map((series) => ({ name: series.name, data: series.data }));
  }, panel);
}

function tableOf(page: Page, panel: string): Promise<string[][]> {
  return page.$$eval(`#${panel} table tr`, (rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent ?? '')));
}

const shown = (value: number | null) => (value === null ? 'suppressed' : value.toLocaleString('en', { maximumFractionDigits: 1 }));

describe.skipIf(!existsSync(CHROMIUM))(`the analyst dashboard in headless Chromium (${CHROMIUM}; skipped when absent, .ci/run installs it)`, () => {
  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    hub = await startTestHub();
    origin = new URL(hub.gatewayUrl).origin;
    // The feedback `npm start` seeds, so the quality panel has published summaries to draw.
    expect((await seedFeedbackDemo({ gatewayUrl: hub.gatewayUrl, idp: hub.hub.idp }, { learners: TEST_LEARNERS })).created).toBeGreaterThan(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // No sandbox: CI runs as root in a container. No network beyond the hub: the page must not need one.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('signs an analyst in, draws the seeded data, follows the filters and never reveals a withheld cell', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1800 } });
    const outside: string[] = [];
    // Every request the page makes must stay on the hub: no CDN, no fonts from elsewhere.
    await context.route('**/*', (route) => {
      if (new URL(route.request().url()).origin !== origin && !route.request().url().startsWith('blob:')) {
        outside.push(route.request().url());
        return route.abort();
      }
      return route.continue();
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
    await signIn(page);
    expect(await page.textContent('#who')).toContain('analyst');

    const byTerm = await published('TERM');
    const byKind = await published('KIND');
    // Uptake over time: the alliance line is the published column totals of the term table.
    const uptake = await seriesOf(page, 'uptake');
    expect(uptake).toEqual([{ name: 'Alliance', data: byTerm.columnTotals.map((cell) => cell.enrolments) }]);
    expect(byTerm.columnTotals.some((cell) => (cell.enrolments ?? 0) > 0)).toBe(true);
    // By member and kind: one stacked series per kind, a bar per member.
    const byMember = await seriesOf(page, 'by-member');
    expect(byMember.map((series) => series.name)).toEqual(byKind.columns);
    byKind.columns.forEach((_column, index) => expect(byMember[index]!.data).toEqual(byKind.rows.map((row) => row.cells[index]!.enrolments)));
    // Mobility and quality are drawn too (the demo has learners at several members).
    expect((await seriesOf(page, 'mobility'))[0]!.data.length).toBeGreaterThan(0);
    // Quality: the overall rating is drawn for members with k or more responses, the others stay withheld.
    const quality = await hub.query('{ institutions { id qualitySummary { withheld averages { overall } } } }', {}, await bearer(hub.hub, { role: 'analyst' }));
    const institutions = quality.body.data!['institutions'] as { id: string; qualitySummary: { withheld: boolean; averages: { overall: number } | null } }[];
    expect(institutions.some((member) => !member.qualitySummary.withheld)).toBe(true);
    expect((await seriesOf(page, 'quality'))[0]!.data).toEqual(institutions.map((member) => (member.qualitySummary.withheld ? null : member.qualitySummary.averages!.overall)));
    await page.screenshot({ path: `${OUTPUT}dashboard-analyst.png`, fullPage: true });

    // The table behind the breakdown chart: every cell as published, withheld ones named, none below k shown.
    const rows = await tableOf(page, 'by-member');
    expect(rows[0]).toEqual(['Member', ...byKind.columns, 'Total']);
    const withheld = byKind.rows.flatMap((row) => row.cells).filter((cell) => cell.passed === null).length;
    expect(withheld).toBeGreaterThan(0);

    // Filter: the measure. The tables now show passed assessments, withheld cells as "suppressed".
    await page.selectOption('#measure', 'passed');
    await page.waitForSelector('body[data-rendered="2"]');
    const passedRows = (await tableOf(page, 'by-member')).slice(1, -1);
    byKind.rows.forEach((row, index) => {
      expect(passedRows[index]!.slice(1)).toEqual([...row.cells.map((cell) => shown(cell.passed)), shown(row.total.passed)]);
    });
    const suppressedCells = await page.$$eval('#by-member td.suppressed', (cells) => cells.length);
    expect(suppressedCells).toBe(byKind.rows.flatMap((row) => [...row.cells, row.total]).filter((cell) => cell.passed === null).length + byKind.columnTotals.concat(byKind.total).filter((cell) => cell.passed === null).length);
    // Nothing from 1 to k−1 anywhere in the page's count tables (ECTS may be fractional; the counts are whole).
    for (const panel of ['uptake', 'by-member']) {
      for (const line of (await tableOf(page, panel)).slice(1)) {
        for (const text of line.slice(1)) {
          const value = Number(text.replace(/,/g, ''));
          if (text !== 'suppressed') expect(value === 0 || value >= byKind.k).toBe(true);
        }
      }
    }
    // A withheld cell is not drawn: its bar is null in the chart's data.
    const passedSeries = await seriesOf(page, 'by-member');
    byKind.columns.forEach((_column, index) => expect(passedSeries[index]!.data).toEqual(byKind.rows.map((row) => row.cells[index]!.passed)));

    // Filter: the breakdown (another published table) and the members shown.
    await page.selectOption('#dimension', 'MODE');
    await page.waitForSelector('body[data-rendered="3"]');
    const byMode = await published('MODE');
    expect((await seriesOf(page, 'by-member')).map((series) => series.name)).toEqual(byMode.columns);
    const dropped = byMode.rows[0]!.member.id;
    await page.uncheck(`#members input[value="${dropped}"]`);
    await page.waitForSelector('body[data-rendered="4"]');
    const axis = await page.evaluate(() => {
      const element = document.querySelector('#by-member .chart') as HTMLElement;
      const instance = (window as unknown as { echarts: { getInstanceByDom(e: HTMLElement): { getOption(): { xAxis: { data: string[] }[] } } } }).echarts.getInstanceByDom(element);
      return instance.getOption().xAxis[0]!.data;
    });
    expect(axis).not.toContain(dropped);
    expect(axis).toHaveLength(byMode.rows.length - 1);
    // With a member left out, the uptake chart compares the members chosen, one line each.
    expect((await seriesOf(page, 'uptake')).length).toBe(byTerm.rows.length - 1);

    // CSV download of what is shown.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#by-member button.csv')]);
    const csv = await (await download.createReadStream()).toArray();
    const lines = Buffer.concat(csv as Buffer[]).toString('utf8').trim().split('\r\n');
    expect(lines[0]).toBe(['Member', ...byMode.columns, 'Total'].join(','));
    expect(lines).toHaveLength(byMode.rows.length - 1 + 2);
    expect(lines.join('\n')).toContain('suppressed');
    await page.screenshot({ path: `${OUTPUT}dashboard-filtered.png`, fullPage: true });

    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows a member's quality office its own member only and says what its role cannot see", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, async (signInPage) => {
      await signInPage.check('input[value="member-staff"]');
      await signInPage.selectOption('select[name="member_id"]', 'aau.dk');
    });
    expect(await page.textContent('#who')).toContain('aau.dk');
    const rows = (await tableOf(page, 'by-member')).slice(1, -1);
    expect(rows.map((row) => row[0])).toEqual(['Aalborg University']);
    expect(await page.textContent('#mobility table')).toContain('Not available to your role.');
    await page.screenshot({ path: `${OUTPUT}dashboard-member-staff.png`, fullPage: true });
    await context.close();
  });

  it('asks an anonymous visitor to sign in and draws nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${origin}/dashboard/`);
    // Served with a policy that allows scripts from the hub only.
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('#signed-out:not([hidden])');
    expect(await page.$$('#panels section')).toHaveLength(0);
    await context.close();
  });
});
