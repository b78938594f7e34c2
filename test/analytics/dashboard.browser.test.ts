import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asLearner, bearer } from '../helpers/tokens.js';
import { seedFeedbackDemo } from '../../hub/feedback-demo.js';
import { seedRecognitionDemo } from '../../hub/recognition-demo.js';
import { passed } from '../issuance/demo-achievements.js';
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
type CountTable = { columns: string[]; rows: { member: { id: string; name: string | null }; cells: (number | null)[]; total: number | null }[]; columnTotals: (number | null)[]; total: number | null };
type Credentials = { k: number; unavailable: boolean; issuedByMonth: CountTable; issuedByKind: CountTable; revokedByMonth: CountTable };
type Recognition = { k: number; unavailable: boolean; byOutcome: CountTable; decisionTimes: { member: { id: string } | null; medianDays: number | null }[] };
type Skills = { k: number; escoUnavailable: boolean; byGroup: CountTable; groups: { code: string; label: string }[]; skills: { uri: string; label: string | null; group: string; awards: number | null }[]; collections: { collection: string; awards: number | null }[] };
type Impact = {
  k: number;
  activeCitizen: { sdgChallengeEnrolments: number | null; sdgChallengePassed: number | null; shareOfEnrolments: number | null };
  empoweredLearner: { stackedCredentials: number | null; multiMemberLearners: number | null; shareOfLearners: number | null };
  thrivingEarner: { skillAwards: number | null; greenSkillAwards: number | null; digitalSkillAwards: number | null; transversalSkillAwards: number | null };
};

const COUNT_TABLE = 'columns rows { member { id name } cells total } columnTotals total';
const OUTCOMES = `{
  credentialStatistics { k unavailable issuedByMonth { ${COUNT_TABLE} } issuedByKind { ${COUNT_TABLE} } revokedByMonth { ${COUNT_TABLE} } }
  recognitionStatistics { k unavailable byOutcome { ${COUNT_TABLE} } decisionTimes { member { id } medianDays } }
  skillStatistics(first: 20) { k escoUnavailable byGroup { ${COUNT_TABLE} } groups { code label } skills { uri label group awards } collections { collection awards } }
  impactIndicators { k activeCitizen { sdgChallengeEnrolments sdgChallengePassed shareOfEnrolments }
    empoweredLearner { stackedCredentials multiMemberLearners shareOfLearners }
    thrivingEarner { skillAwards greenSkillAwards digitalSkillAwards transversalSkillAwards } }
}`;

let hub: TestHub;
let browser: Browser;
let origin: string;

async function published(by: string, as: Parameters<typeof bearer>[1] = { role: 'analyst' }): Promise<Table> {
  const answer = await hub.query(
    `query($by: StatisticsDimension) { allianceStatistics(by: $by) { k columns rows { member { id } cells { key ${COUNTS} } total { ${COUNTS} } } columnTotals { key ${COUNTS} } total { ${COUNTS} } } }`,
    { by },
    await bearer(hub.hub, as),
  );
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data!['allianceStatistics'] as Table;
}

/** The graph's answer for the outcome and impact panels, as the role given sees it. */
async function outcomes(as: Parameters<typeof bearer>[1] = { role: 'analyst' }): Promise<{ credentialStatistics: Credentials; recognitionStatistics: Recognition; skillStatistics: Skills; impactIndicators: Impact }> {
  const answer = await hub.query(OUTCOMES, {}, await bearer(hub.hub, as));
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data as never;
}

/** A page that records every request leaving the hub (and refuses it) and every console error or page error. */
async function watched(context: BrowserContext): Promise<{ page: Page; outside: string[]; problems: string[] }> {
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
  return { page, outside, problems };
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

/** Every table of a panel (several for skills and credentials, one per card for impact), each as rows of text. */
function tablesOf(page: Page, panel: string): Promise<string[][][]> {
  return page.$$eval(`#${panel} table`, (tables) => tables.map((table) => [...table.querySelectorAll('tr')].map((row) => [...row.children].map((cell) => cell.textContent ?? ''))));
}

/** A chart's option as ECharts holds it: series (name, type, stack, data) and the category axes. */
function optionOf(page: Page, panel: string, index = 0): Promise<{ series: { name: string; type: string; stack?: string; data: unknown[] }[]; xAxis: { data?: string[] }[]; yAxis: { data?: string[] }[]; title?: { text?: string }[] }> {
  return page.evaluate(([id, n]) => {
    const element = document.querySelectorAll(`#${id} .chart`)[n as number] as HTMLElement;
    const instance = (window as unknown as { echarts: { getInstanceByDom(e: HTMLElement): { getOption(): Record<string, unknown> } } }).echarts.getInstanceByDom(element);
    const option = instance.getOption() as { series: { name: string; type: string; stack?: string; data: unknown[] }[]; xAxis: { data?: string[] }[]; yAxis: { data?: string[] }[]; title?: { text?: string }[] };
    return { series: option.series.map((series) => ({ name: series.name, type: series.type, stack: series.stack, data: series.data })), xAxis: option.xAxis, yAxis: option.yAxis, title: option.title };
  }, [panel, index] as const);
}

const shown = (value: number | null) => (value === null ? 'suppressed' : value.toLocaleString('en', { maximumFractionDigits: 1 }));
const percent = (share: number | null) => (share === null ? 'suppressed' : `${Math.round(share * 100)} %`);
const label = (member: { id: string; name?: string | null }) => member.name || member.id;

/** A count table as the dashboard shows it: head, the member rows, the alliance's column totals and total. */
const countTable = (t: CountTable, only?: (id: string) => boolean) => [
  ['Member', ...t.columns, 'Total'],
  ...t.rows.filter((row) => !only || only(row.member.id)).map((row) => [label(row.member), ...row.cells.map(shown), shown(row.total)]),
  ['All members', ...t.columnTotals.map(shown), shown(t.total)],
];

/** Nothing from 1 to k−1 in the given columns of a table's rows (a count is "suppressed", 0, or k or more). */
function expectNoSmallCounts(rows: string[][], k: number, columns: (index: number) => boolean = (index) => index > 0): void {
  for (const line of rows) {
    line.forEach((text, index) => {
      if (!columns(index) || text === 'suppressed') return;
      const value = Number(text.replace(/,/g, ''));
      expect(Number.isInteger(value), `"${text}" is a count`).toBe(true);
      expect(value === 0 || value >= k, `${text} is not between 1 and k−1 (${line.join(' | ')})`).toBe(true);
    });
  }
}

const nulls = (t: CountTable) => [...t.rows.flatMap((row) => [...row.cells, row.total]), ...t.columnTotals, t.total].filter((value) => value === null).length;

describe.skipIf(!existsSync(CHROMIUM))(`the analyst dashboard in headless Chromium (${CHROMIUM}; skipped when absent, .ci/run installs it)`, () => {
  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    hub = await startTestHub();
    origin = new URL(hub.gatewayUrl).origin;
    // The feedback `npm start` seeds, so the quality panel has published summaries to draw.
    expect((await seedFeedbackDemo({ gatewayUrl: hub.gatewayUrl, idp: hub.hub.idp }, { learners: TEST_LEARNERS })).created).toBeGreaterThan(0);
    // Recognition requests in every state, and credentials for 60 passed achievements (two of them revoked), as `npm start` and the outcome tests do.
    await seedRecognitionDemo({ gatewayUrl: hub.gatewayUrl, idp: hub.hub.idp }, { learners: hub.hub.demoLearners });
    let revoked = 0;
    for (const item of passed.slice(0, 60)) {
      const { body } = await hub.query(`mutation ($id: ID!) { issueCredential(input: { achievementId: $id }) { credential { id } } }`, { id: item.achievement.id }, await asLearner(hub.hub, item.learnerId));
      const id = (body.data?.['issueCredential'] as { credential: { id: string } } | undefined)?.credential.id;
      if (id && revoked < 2 && item.memberId === passed[0]!.memberId) {
        const answer = await hub.query(`mutation ($id: ID!) { revokeCredential(id: $id, reason: "Issued in error.") { status } }`, { id }, await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId }));
        expect(answer.body.errors).toBeUndefined();
        revoked += 1;
      }
    }
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
    const { page, outside, problems } = await watched(context);
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

  it('draws the outcome and impact panels as published: SDGs, skills, credentials, recognition, impact', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1800 } });
    const { page, outside, problems } = await watched(context);
    await signIn(page);
    const graph = await outcomes();
    const { credentialStatistics: credentials, recognitionStatistics: recognition, skillStatistics: skills, impactIndicators: impact } = graph;
    const bySdg = await published('SDG');
    const k = bySdg.k;
    // The seeded data reach every source, with withheld cells among them (else the checks below prove little).
    expect(credentials.unavailable).toBe(false);
    expect(recognition.unavailable).toBe(false);
    expect(skills.escoUnavailable).toBe(false);
    expect(credentials.issuedByMonth.total).toBeGreaterThan(0);
    expect(nulls(credentials.issuedByMonth) + nulls(recognition.byOutcome) + nulls(skills.byGroup)).toBeGreaterThan(0);

    // Every new panel with a chart draws it on a canvas (credentials: by month and by kind).
    for (const [panel, charts] of [['sdgs', 1], ['skills', 1], ['credentials', 2], ['recognition', 1]] as const) {
      expect(await page.$$eval(`#${panel} .chart canvas`, (canvases) => canvases.length), panel).toBeGreaterThanOrEqual(charts);
    }

    // SDGs: the alliance column totals, a bar per goal, and the table of them with the total counted once.
    expect((await optionOf(page, 'sdgs')).series).toEqual([{ name: 'Enrolments', type: 'bar', stack: undefined, data: bySdg.columnTotals.map((cell) => cell.enrolments) }]);
    const sdgRows = await tableOf(page, 'sdgs');
    expect(sdgRows[0]).toEqual(['SDG', 'Goal', 'Enrolments']);
    expect(sdgRows.slice(1).map((row) => [row[0], row[2]])).toEqual([...bySdg.columns.map((column, index) => [column, shown(bySdg.columnTotals[index]!.enrolments)]), ['All', shown(bySdg.total.enrolments)]]);
    expect(await page.textContent('#sdgs .note')).toContain('do not add up');

    // Skills: awards by group (labelled), the member × group table, the top skills and the collections.
    const labels = new Map(skills.groups.map((group) => [group.code, group.label]));
    const groupName = (code: string) => (labels.has(code) && labels.get(code) !== code ? `${code} ${labels.get(code)}` : code);
    const skillChart = await optionOf(page, 'skills');
    expect(skillChart.series).toEqual([{ name: 'Alliance', type: 'bar', stack: undefined, data: skills.byGroup.columnTotals }]);
    expect(skillChart.yAxis[0]!.data).toEqual(skills.byGroup.columns.map(groupName));
    expect(skills.groups.map((group) => group.code)).toEqual(skills.byGroup.columns);
    const skillTables = await tablesOf(page, 'skills');
    expect(skillTables[0]).toEqual(countTable(skills.byGroup));
    expect(skillTables[1]).toEqual([['Skill', 'Group', 'Awards'], ...skills.skills.map((skill) => [skill.label ?? skill.uri, groupName(skill.group), shown(skill.awards)])]);
    expect(skillTables[2]).toEqual([['Collection', 'Awards'], ...skills.collections.map((figure) => [figure.collection, shown(figure.awards)])]);

    // Credentials: issued by month and by kind (alliance bars), and the issued, revoked and kind tables.
    expect((await optionOf(page, 'credentials', 0)).series).toEqual([{ name: 'Alliance', type: 'bar', stack: undefined, data: credentials.issuedByMonth.columnTotals }]);
    expect((await optionOf(page, 'credentials', 1)).series).toEqual([{ name: 'Alliance', type: 'bar', stack: undefined, data: credentials.issuedByKind.columnTotals }]);
    expect(await tablesOf(page, 'credentials')).toEqual([countTable(credentials.issuedByMonth), countTable(credentials.revokedByMonth), countTable(credentials.issuedByKind)]);
    const withheldCredentials = nulls(credentials.issuedByMonth) + nulls(credentials.revokedByMonth) + nulls(credentials.issuedByKind);
    expect(await page.$$eval('#credentials td.suppressed', (cells) => cells.length)).toBe(withheldCredentials);

    // Recognition: outcomes stacked per deciding member, and the median days to decision in the table.
    const rows = recognition.byOutcome.rows;
    expect((await optionOf(page, 'recognition')).series).toEqual(recognition.byOutcome.columns.map((column, index) => ({ name: column, type: 'bar', stack: 'all', data: rows.map((row) => row.cells[index]) })));
    const median = (id: string | null) => {
      const time = recognition.decisionTimes.find((entry) => (entry.member?.id ?? null) === id);
      return time ? shown(time.medianDays) : 'no decisions';
    };
    const recognitionRows = countTable(recognition.byOutcome);
    expect(await tableOf(page, 'recognition')).toEqual([[...recognitionRows[0]!, 'Median days to decision'], ...recognitionRows.slice(1).map((line, index) => [...line, median(index < rows.length ? rows[index]!.member.id : null)])]);

    // Impact: three cards, the roles' figures as published.
    expect(await page.$$eval('#impact .card h3', (headings) => headings.map((heading) => heading.textContent))).toEqual(['Active citizen', 'Empowered learner', 'Thriving earner']);
    expect(await page.$$eval('#impact .card .definition', (texts) => texts.every((text) => (text.textContent ?? '').length > 20))).toBe(true);
    const head = ['Indicator', 'Value'];
    expect(await tablesOf(page, 'impact')).toEqual([
      [head, ['Enrolments in SDG challenges', shown(impact.activeCitizen.sdgChallengeEnrolments)], ['Passed assessments in SDG challenges', shown(impact.activeCitizen.sdgChallengePassed)], ['Share of all enrolments', percent(impact.activeCitizen.shareOfEnrolments)]],
      [head, ['Stacked (pathway) credentials issued', shown(impact.empoweredLearner.stackedCredentials)], ['Learners studying at 2+ members', shown(impact.empoweredLearner.multiMemberLearners)], ['Share of learners in the register', percent(impact.empoweredLearner.shareOfLearners)]],
      [head, ['Skill awards', shown(impact.thrivingEarner.skillAwards)], ['Green skill awards', shown(impact.thrivingEarner.greenSkillAwards)], ['Digital skill awards', shown(impact.thrivingEarner.digitalSkillAwards)], ['Transversal skill awards', shown(impact.thrivingEarner.transversalSkillAwards)]],
    ]);

    // Nothing from 1 to k−1 in any count of the new tables (median days and shares are not counts).
    expectNoSmallCounts(sdgRows.slice(1), k, (index) => index === 2);
    expectNoSmallCounts(skillTables[0]!.slice(1), k);
    expectNoSmallCounts(skillTables[1]!.slice(1), k, (index) => index === 2);
    expectNoSmallCounts(skillTables[2]!.slice(1), k);
    for (const table of await tablesOf(page, 'credentials')) expectNoSmallCounts(table.slice(1), k);
    expectNoSmallCounts((await tableOf(page, 'recognition')).slice(1), k, (index) => index > 0 && index <= recognition.byOutcome.columns.length + 1);
    for (const table of await tablesOf(page, 'impact')) expectNoSmallCounts(table.slice(1).filter((row) => !row[0]!.startsWith('Share')), k);
    await page.screenshot({ path: `${OUTPUT}dashboard-outcomes.png`, fullPage: true });

    // The SDG breakdown: its cells overlap, so a heat map (one series, nothing stacked), withheld cells left out; the table as published.
    await page.selectOption('#dimension', 'SDG');
    await page.waitForSelector('body[data-rendered="2"]');
    const heat = await optionOf(page, 'by-member');
    expect(heat.series).toHaveLength(1);
    expect(heat.series[0]).toMatchObject({ type: 'heatmap', stack: undefined });
    expect(heat.series[0]!.data).toEqual(bySdg.rows.flatMap((row, r) => row.cells.map((cell, c) => [c, r, cell.enrolments])).filter((point) => point[2] !== null));
    expect(heat.xAxis[0]!.data).toEqual(bySdg.columns);
    expect(await page.textContent('#by-member h2')).toBe('Enrolments by member and UN SDG');
    expect(await page.textContent('#by-member .note')).toContain('counts under each of its SDGs');
    expect(await tableOf(page, 'by-member')).toEqual([
      ['Member', ...bySdg.columns, 'Total'],
      ...bySdg.rows.map((row) => [expect.any(String), ...row.cells.map((cell) => shown(cell.enrolments)), shown(row.total.enrolments)]),
      ['All members', ...bySdg.columnTotals.map((cell) => shown(cell.enrolments)), shown(bySdg.total.enrolments)],
    ]);
    expectNoSmallCounts((await tableOf(page, 'by-member')).slice(1), k);
    // The measure follows into the SDG panels: passed assessments now.
    await page.selectOption('#measure', 'passed');
    await page.waitForSelector('body[data-rendered="3"]');
    expect((await tableOf(page, 'sdgs')).slice(1).map((row) => row[2])).toEqual([...bySdg.columnTotals.map((cell) => shown(cell.passed)), shown(bySdg.total.passed)]);
    expect((await optionOf(page, 'by-member')).series[0]!.data).toEqual(bySdg.rows.flatMap((row, r) => row.cells.map((cell, c) => [c, r, cell.passed])).filter((point) => point[2] !== null));
    await page.screenshot({ path: `${OUTPUT}dashboard-sdg.png`, fullPage: true });

    // The other new breakdowns add up: stacked bars, one series per column, each the published table's.
    let rendered = 3;
    for (const by of ['MONTH', 'HOME_MEMBER', 'SDG_CHALLENGE']) {
      await page.selectOption('#dimension', by);
      await page.waitForSelector(`body[data-rendered="${(rendered += 1)}"]`);
      const t = await published(by);
      expect((await optionOf(page, 'by-member')).series).toEqual(t.columns.map((column, index) => ({ name: column, type: 'bar', stack: 'all', data: t.rows.map((row) => row.cells[index]!.passed) })));
      expect((await tableOf(page, 'by-member')).slice(1, -1).map((row) => row.slice(1))).toEqual(t.rows.map((row) => [...row.cells.map((cell) => shown(cell.passed)), shown(row.total.passed)]));
    }

    // Members chosen: the credential charts compare them, one series per member; the tables leave the others out.
    const dropped = credentials.issuedByMonth.rows[0]!.member.id;
    await page.uncheck(`#members input[value="${dropped}"]`);
    await page.waitForSelector(`body[data-rendered="${(rendered += 1)}"]`);
    const kept = (id: string) => id !== dropped;
    expect((await optionOf(page, 'credentials', 0)).series).toEqual(credentials.issuedByMonth.rows.filter((row) => kept(row.member.id)).map((row) => ({ name: label(row.member), type: 'bar', stack: undefined, data: row.cells })));
    expect((await tablesOf(page, 'credentials'))[0]).toEqual(countTable(credentials.issuedByMonth, kept));
    expect((await tablesOf(page, 'skills'))[0]).toEqual(countTable(skills.byGroup, kept));

    // CSV of a new panel's second table (the top skills, its own button), quoted where a group's label has a comma.
    const quote = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#skills details:nth-of-type(2) button.csv')]);
    expect(download.suggestedFilename()).toMatch(/^eciu-skills-top-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = Buffer.concat((await (await download.createReadStream()).toArray()) as Buffer[]).toString('utf8');
    expect(csv.trim().split('\r\n')).toEqual(skillTables[1]!.map((line) => line.map(quote).join(',')));

    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows a member's quality office its own member only and says what its role cannot see", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1800 } });
    const { page, outside, problems } = await watched(context);
    await signIn(page, async (signInPage) => {
      await signInPage.check('input[value="member-staff"]');
      await signInPage.selectOption('select[name="member_id"]', 'aau.dk');
    });
    expect(await page.textContent('#who')).toContain('aau.dk');
    const own = (id: string) => id === 'aau.dk';
    const rows = (await tableOf(page, 'by-member')).slice(1, -1);
    expect(rows.map((row) => row[0])).toEqual(['Aalborg University']);
    expect(await page.textContent('#mobility table')).toContain('Not available to your role.');
    expect((await optionOf(page, 'mobility')).title?.[0]?.text).toBe('Not available to your role.');

    // Quality: the other members' summaries are refused to this role, which the table says (never "suppressed"); only its own is drawn.
    const quality = (await tableOf(page, 'quality')).slice(1);
    expect(quality).toHaveLength(13);
    const others = quality.filter((row) => row[0] !== 'Aalborg University');
    expect(others).toHaveLength(12);
    for (const row of others) expect(row.slice(1)).toEqual(Array(4).fill('not available to your role'));
    expect(await page.$$eval('#quality td.refused', (cells) => cells.length)).toBe(12 * 4);
    // Its own member's summary is shown (18 responses in the demo; the response rate is not published per member, so it reads "suppressed").
    const ownQuality = quality.find((row) => row[0] === 'Aalborg University')!;
    expect(ownQuality.slice(1)).not.toContain('not available to your role');
    expect(Number(ownQuality[1])).toBeGreaterThanOrEqual(5);
    expect(Number(ownQuality[3])).toBeGreaterThan(0);
    expect((await optionOf(page, 'quality')).xAxis[0]!.data).toEqual(['aau.dk']);

    // Credentials, recognition and skills: their own member's row and the alliance's, as the graph answers this role.
    const graph = await outcomes({ role: 'member-staff', memberId: 'aau.dk' });
    for (const t of [graph.credentialStatistics.issuedByMonth, graph.credentialStatistics.revokedByMonth, graph.credentialStatistics.issuedByKind, graph.recognitionStatistics.byOutcome, graph.skillStatistics.byGroup]) {
      expect(t.rows.map((row) => row.member.id)).toEqual(['aau.dk']);
    }
    expect(await tablesOf(page, 'credentials')).toEqual([countTable(graph.credentialStatistics.issuedByMonth, own), countTable(graph.credentialStatistics.revokedByMonth, own), countTable(graph.credentialStatistics.issuedByKind, own)]);
    expect((await tableOf(page, 'recognition')).slice(1).map((row) => row[0])).toEqual(['Aalborg University', 'All members']);
    expect((await tablesOf(page, 'skills'))[0]).toEqual(countTable(graph.skillStatistics.byGroup, own));
    expect(await page.$$eval('#impact .card', (cards) => cards.length)).toBe(3);
    await page.screenshot({ path: `${OUTPUT}dashboard-member-staff.png`, fullPage: true });
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says so in the panel when a source did not answer, and draws no zeros', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1800 } });
    const { page, outside, problems } = await watched(context);
    // The answers as they read while the issuance, recognition and ESCO services are down (docs/analytics.md): unavailable, empty tables.
    const empty = { columns: [], rows: [], columnTotals: [], total: 0 };
    await page.route('**/graphql', async (route) => {
      const query = String(route.request().postDataJSON()?.query ?? '');
      if (!/credentialStatistics|recognitionStatistics|skillStatistics|impactIndicators/.test(query)) return route.continue();
      const response = await route.fetch();
      const body = (await response.json()) as { data: Record<string, Record<string, unknown>> };
      const data = body.data;
      if (data['credentialStatistics']) Object.assign(data['credentialStatistics'], { unavailable: true, issuedByMonth: empty, issuedByKind: empty, revokedByMonth: empty });
      if (data['recognitionStatistics']) Object.assign(data['recognitionStatistics'], { unavailable: true, byOutcome: empty, decisionTimes: [] });
      if (data['skillStatistics']) Object.assign(data['skillStatistics'], { escoUnavailable: true });
      if (data['impactIndicators']) {
        Object.assign(data['impactIndicators']['empoweredLearner'] as object, { stackedCredentials: null });
        Object.assign(data['impactIndicators']['thrivingEarner'] as object, { greenSkillAwards: null, digitalSkillAwards: null, transversalSkillAwards: null });
      }
      return route.fulfill({ response, json: body });
    });
    await signIn(page);
    for (const [panel, source] of [['credentials', 'issuance service'], ['recognition', 'recognition service']] as const) {
      // The reason once, over the first chart; no chart draws anything.
      const option = await optionOf(page, panel);
      expect(option.series).toEqual([]);
      expect(option.title?.[0]?.text).toContain(`The ${source} did not answer`);
      if (panel === 'credentials') expect((await optionOf(page, panel, 1)).series).toEqual([]);
      for (const table of await tablesOf(page, panel)) expect(table[1]![0]).toContain(`The ${source} did not answer`);
    }
    // ESCO down: the counts stand (tables), but no chart by group, and the note says why.
    expect((await optionOf(page, 'skills')).series).toEqual([]);
    expect(await page.textContent('#skills .note')).toContain('ESCO service did not answer');
    const impact = await tablesOf(page, 'impact');
    expect(impact[1]![1]).toEqual(['Stacked (pathway) credentials issued', 'source unavailable']);
    expect(impact[2]!.slice(2).map((row) => row[1])).toEqual(['source unavailable', 'source unavailable', 'source unavailable']);
    await page.screenshot({ path: `${OUTPUT}dashboard-sources-down.png`, fullPage: true });
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
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
