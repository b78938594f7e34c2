import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/paths.js';
import { FIXTURE_BEARER_TOKEN, type OeapiFixture } from '../../subgraphs/member/oeapi/fixture.js';
import { SyncCheckpoint, SyncRun } from '../../subgraphs/member/model.js';
import { SYNC_VARIABLES } from '../../subgraphs/member/sync/config.js';
import { loadContext, startFixture, type OeapiTestContext } from '../oeapi/helpers.js';
import { DEFAULTS_JSON, MEMBER, memberDatabase, rowCounts, runSync, snapshot, syncClient, syncDataset, type MemberDatabase } from './helpers.js';

/*
 * npm run member:sync as a member's operator runs it: a child process,
 * progress on stderr, the summary on stdout, exit status 0 (clean), 1 (held
 * back records or a failing source) or 2 (the command or its configuration
 * is wrong); and a sync killed half-way with SIGKILL that the next run
 * resumes, ending as a clean sync would, without duplicates.
 */

interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let context: OeapiTestContext;
let defaultsFile: string;

function start(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<Result> } {
  // node itself, not npm: a signal must reach the process that syncs.
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'member-sync.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', DATABASE_URL: '', OEAPI_TOKEN: FIXTURE_BEARER_TOKEN, OEAPI_DEFAULTS_FILE: defaultsFile, OEAPI_PAGE_SIZE: '10', OEAPI_RETRIES: '1', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Result>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done };
}

const cli = (args: string[], env: Record<string, string> = {}): Promise<Result> => start(args, env).done;

beforeAll(() => {
  context = loadContext();
  const dir = mkdtempSync(join(tmpdir(), 'member-sync-'));
  defaultsFile = join(dir, 'defaults.json');
  writeFileSync(defaultsFile, JSON.stringify(DEFAULTS_JSON));
});

// Independent child processes: run side by side.
describe.concurrent('npm run member:sync: usage and configuration', () => {
  it('lists every option and variable with its default under --help', async () => {
    const result = await cli(['--help']);
    expect(result.status).toBe(0);
    for (const variable of SYNC_VARIABLES) expect(result.stdout).toContain(variable.name);
    expect(result.stdout).toContain('--once');
    expect(result.stdout).toContain('(default 300)');
  });

  it.each([
    ['no member id', [], {}, /give the member id/],
    ['a member id that is not a domain', ['Twente'], {}, /"Twente" is not a member id/],
    ['an unknown option', ['tuni.fi', '--fast'], {}, /Usage error: Unknown option '--fast'/],
    ['no OEAPI_BASE_URL', ['tuni.fi', '--once'], { OEAPI_BASE_URL: '' }, /OEAPI_BASE_URL is not set/],
    ['a page size outside the spec', ['tuni.fi', '--once'], { OEAPI_BASE_URL: 'http://127.0.0.1:9', OEAPI_PAGE_SIZE: '30' }, /OEAPI_PAGE_SIZE must be one of 10, 20, 50, 100, 250/],
    ['no credentials', ['tuni.fi', '--once'], { OEAPI_BASE_URL: 'http://127.0.0.1:9', OEAPI_TOKEN: '' }, /no OEAPI credentials/],
    ['a defaults file with a wrong value', ['tuni.fi', '--once'], { OEAPI_BASE_URL: 'http://127.0.0.1:9', OEAPI_DEFAULTS_FILE: join(REPO_ROOT, 'package.json') }, /OEAPI_DEFAULTS_FILE .*unknown fields/],
    ['a database that does not exist', ['tuni.fi', '--once', '--database', 'sqlite:/nonexistent/x.sqlite'], { OEAPI_BASE_URL: 'http://127.0.0.1:9' }, /no member database at \/nonexistent\/x\.sqlite/],
  ])('exits 2 on %s', async (_, args, env, message) => {
    const result = await cli(args, env as Record<string, string>);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});

describe('npm run member:sync against the fixture', () => {
  let fixture: OeapiFixture;
  let db: MemberDatabase;
  beforeAll(async () => {
    fixture = await startFixture(context, { dataset: syncDataset(context, { courses: 4, students: 6 }) });
    db = await memberDatabase('sqlite');
  });
  afterAll(async () => {
    await fixture?.stop();
    await db?.drop();
  });

  it('syncs once, logs a line per page on stderr, prints the summary and exits 0 when nothing is held back', async () => {
    const result = await cli([MEMBER, '--once', '--database', `sqlite:${db.target.location}`], { OEAPI_BASE_URL: fixture.url });
    expect(result.status).toBe(0);
    const summary = result.stdout.trim().split('\n');
    expect(summary[0]).toMatch(/^OEAPI sync of tuni\.fi from 127\.0\.0\.1:\d+ into sqlite:.*test\.sqlite: succeeded, full run \(first complete run\), run [0-9a-f-]{36}, \d+\.\d s\.$/);
    expect(summary.slice(1, 6)).toEqual([
      'record        read   new  changed  unchanged  held back',
      'offerings        8     8        0          0          0',
      'accounts         6     6        0          0          0',
      'enrolments      12     7        0          0          0  5 not students (skipped)',
      'results          5     5        0          0          0',
    ]);
    expect(summary.at(-1)).toMatch(/^Next run: changes after \S+Z \(the source's clock at the start of this run, minus the overlap\)\.$/);
    expect(result.stderr).toMatch(/^\[sync tuni\.fi\] syncing tuni\.fi from 127\.0\.0\.1:\d+ \(bearer token \(OEAPI_TOKEN\)\) into sqlite:.*, once$/m);
    expect(result.stderr).toMatch(/^\[sync tuni\.fi\] courses page 1: 4 courses, 8 offerings \(8 new, 0 changed, 0 unchanged, 0 held back\)$/m);
    expect(result.stderr).toMatch(/^\[sync tuni\.fi\] persons page 1: 6 persons \(6 new/m);
    expect(result.stderr).not.toContain(FIXTURE_BEARER_TOKEN);
  });

  it('runs every SYNC_INTERVAL_SECONDS without --once, and stops at SIGTERM with exit 0', async () => {
    const running = start([MEMBER, '--database', `sqlite:${db.target.location}`], { OEAPI_BASE_URL: fixture.url, SYNC_INTERVAL_SECONDS: '60' });
    let summary = '';
    await new Promise<void>((resolve) => running.child.stdout?.on('data', (chunk: Buffer) => ((summary += chunk.toString()), summary.includes('Next run:') && resolve())));
    running.child.kill('SIGTERM');
    const result = await running.done;
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/: succeeded, incremental run/);
    expect(result.stderr).toMatch(/every 60 s$/m);
    expect(result.stderr).toContain('SIGTERM: stopping after the current page');
  });

  it('exits 1 and says why when the source cannot be reached', async () => {
    fixture.setFaults({ down: true });
    const result = await cli([MEMBER, '--once', '--database', `sqlite:${db.target.location}`], { OEAPI_BASE_URL: fixture.url });
    fixture.setFaults({});
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/: failed, incremental run/);
    expect(result.stdout).toMatch(/^Error: OEAPI server 127\.0\.0\.1:\d+: GET \/learning-outcomes \(page 1\): could not be reached/m);
    expect(result.stdout).toMatch(/Nothing written is lost and the watermark stays at \S+; the next run resumes this one\./);
  });
});

describe('a sync killed half-way (SIGKILL)', () => {
  let fixture: OeapiFixture;
  let db: MemberDatabase;
  let reference: MemberDatabase;
  beforeAll(async () => {
    fixture = await startFixture(context, { dataset: syncDataset(context) });
    [db, reference] = await Promise.all([memberDatabase('sqlite'), memberDatabase('sqlite')]);
  });
  afterAll(async () => {
    await fixture?.stop();
    await db?.drop();
    await reference?.drop();
  });

  it('is resumed by the next run, which ends as a clean sync would, without duplicates, exiting 1 for the held-back records', async () => {
    // A slow source, so the kill lands after some pages are committed and long before the end.
    fixture.setFaults({ delayMs: 15 });
    const killed = start([MEMBER, '--once', '--database', `sqlite:${db.target.location}`], { OEAPI_BASE_URL: fixture.url });
    const em = () => db.orm.em.fork();
    const deadline = Date.now() + 30_000;
    while ((await em().count(SyncCheckpoint, {})) < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    killed.child.kill('SIGKILL');
    const first = await killed.done;
    expect(first.signal).toBe('SIGKILL');
    const [interrupted] = await em().find(SyncRun, {});
    expect(interrupted).toMatchObject({ status: 'running', finishedAt: null });
    const partial = await rowCounts(db.orm);
    expect(partial['learning_opportunity']).toBeGreaterThan(0);

    fixture.setFaults({});
    const again = await cli([MEMBER, '--once', '--database', `sqlite:${db.target.location}`], { OEAPI_BASE_URL: fixture.url });
    expect(again.status).toBe(1);
    expect(again.stdout).toMatch(new RegExp(`: succeeded, full run \\(resumes run ${interrupted!.id} \\(running\\) from \\w+\\)`));
    expect(again.stdout).toMatch(/^Held back, not written: \d+ records/m);
    // Its process is gone: the lock is taken over at once, without waiting for it to go stale.
    expect(again.stderr).toContain(`took over the stale lock of run ${interrupted!.id}`);
    const history = await em().find(SyncRun, {}, { orderBy: { startedAt: 'asc' } });
    expect(history.map(({ status, resumedFrom, resumedBy }) => ({ status, resumedFrom, resumedBy }))).toEqual([
      { status: 'abandoned', resumedFrom: null, resumedBy: history[1]!.id },
      { status: 'succeeded', resumedFrom: interrupted!.id, resumedBy: null },
    ]);
    expect(history[0]!.error).toMatch(/^Stopped without finishing during \w+ \(its process ended or its lock went stale\); resumed by run /);

    // The same source synced in one go, in process: the same rows (the clock's own columns aside), as many of each.
    const client = syncClient(context, fixture.url);
    try {
      expect((await runSync(reference.orm, 'sqlite', client)).status).toBe('succeeded');
    } finally {
      await client.close();
    }
    expect(await rowCounts(db.orm)).toEqual(await rowCounts(reference.orm));
    const omit = ['created_at', 'withdrawn_at'];
    expect(await snapshot(db.orm, omit)).toEqual(await snapshot(reference.orm, omit));
  });
});
