import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OeapiClient } from '../../subgraphs/member/oeapi/client.js';
import type { OeapiFixture } from '../../subgraphs/member/oeapi/fixture.js';
import { SyncCheckpoint, SyncRun } from '../../subgraphs/member/model.js';
import type { SyncResult } from '../../subgraphs/member/sync/engine.js';
import { DATABASE_KINDS } from '../helpers/databases.js';
import { loadContext, startFixture, type OeapiTestContext } from '../oeapi/helpers.js';
import { memberDatabase, rowCounts, runSync, snapshot, syncClient, syncDataset, type MemberDatabase } from './helpers.js';

/*
 * A source that fails: down, a 500 half-way, a body that is not JSON, pages
 * that never end. Each run fails with an error that says what happened
 * where (and no credential), keeps every page it committed, leaves the
 * watermark where it was, and the next run resumes it from the resource it
 * was on, ending in the same state as a run that never failed.
 */

let context: OeapiTestContext;
beforeAll(() => {
  context = loadContext();
});

describe.each(DATABASE_KINDS)('a failing source, syncing into %s', (kind) => {
  let fixture: OeapiFixture;
  let db: MemberDatabase;
  let client: OeapiClient;
  let clean: Record<string, unknown[]>;
  beforeAll(async () => {
    fixture = await startFixture(context, { dataset: syncDataset(context) });
    db = await memberDatabase(kind);
    client = syncClient(context, fixture.url);
  });
  afterAll(async () => {
    await client?.close();
    await fixture?.stop();
    await db?.drop();
  });
  const lastWatermark = async () => (await db.orm.em.fork().findOne(SyncRun, { status: 'succeeded' }, { orderBy: { startedAt: 'desc' } }))?.nextWatermark?.toISOString() ?? null;
  const runs = () => db.orm.em.fork().find(SyncRun, {}, { orderBy: { startedAt: 'asc' } });

  /** A failed run: what the result and the run history say, and that the watermark did not move. */
  async function expectFailure(result: SyncResult, code: string, message: RegExp, watermark: string | null): Promise<void> {
    expect(result).toMatchObject({ status: 'failed', nextWatermark: null, error: { code, message: expect.stringMatching(message) } });
    expect(result.error?.message).not.toContain('oeapi-fixture-token');
    expect(await lastWatermark()).toBe(watermark);
    const run = (await runs()).at(-1)!;
    expect(run).toMatchObject({ id: result.runId, status: 'failed', nextWatermark: null });
    expect(run.error).toContain(code);
  }

  it('fails cleanly while the source is down, writing nothing, and resumes once it is back', async () => {
    fixture.setFaults({ down: true });
    const down = await runSync(db.orm, kind, client);
    await expectFailure(down, 'UNREACHABLE', /^OEAPI server 127\.0\.0\.1:\d+: GET \/learning-outcomes \(page 1\): could not be reached .* after 2 attempts\.$/, null);
    expect(Object.values(await rowCounts(db.orm)).every((count) => count === 0)).toBe(true);
    fixture.setFaults({});
    const back = await runSync(db.orm, kind, client);
    expect(back).toMatchObject({ status: 'succeeded', mode: 'full', resumedFrom: down.runId });
    expect((await runs())[0]).toMatchObject({ id: down.runId, status: 'failed', resumedBy: back.runId });
    clean = await snapshot(db.orm);
  });

  it('keeps the pages committed before a 500 half-way, and resumes from the resource it was on', async () => {
    const watermark = await lastWatermark();
    fixture.setFaults({ failPage: { pageNumber: 2, path: '/persons' } });
    const failed = await runSync(db.orm, kind, client, { full: true });
    await expectFailure(failed, 'HTTP_STATUS', /^OEAPI server .*: GET \/persons \(page 2\): answered HTTP 500 \(Internal server error: .*\) after 2 attempts\.$/, watermark);
    // Courses finished and the first page of persons are committed, with their checkpoints.
    const checkpoints = await db.orm.em.fork().find(SyncCheckpoint, { runId: failed.runId }, { orderBy: { id: 'asc' } });
    expect(checkpoints.filter((checkpoint) => checkpoint.resource === 'courses').at(-1)?.done).toBe(true);
    expect(checkpoints.filter((checkpoint) => checkpoint.resource === 'persons').map((checkpoint) => checkpoint.page)).toEqual([1]);
    expect(failed.counts.accounts.read).toBe(10);
    expect((await runs()).at(-1)?.resource).toBe('persons');
    fixture.setFaults({});
    const resumed = await runSync(db.orm, kind, client);
    expect(resumed).toMatchObject({ status: 'succeeded', mode: 'full', resumedFrom: failed.runId, reason: `resumes run ${failed.runId} (failed) from persons` });
    expect(resumed.counts.offerings.read).toBe(0);
    expect(resumed.counts.accounts.read).toBe(40);
    // The next watermark comes from the source's clock at the start of the run resumed, not of the resuming one.
    const [before, after] = (await runs()).slice(-2);
    expect(after!.serverStartedAt?.toISOString()).toBe(before!.serverStartedAt?.toISOString());
    expect(await lastWatermark()).toBe(resumed.nextWatermark?.toISOString());
    expect(await snapshot(db.orm)).toEqual(clean);
  });

  it('fails on a page that is not JSON', async () => {
    const watermark = await lastWatermark();
    fixture.setFaults({ invalidJson: { pageNumber: 1, path: '/courses' } });
    const failed = await runSync(db.orm, kind, client, { full: true });
    await expectFailure(failed, 'INVALID_JSON', /GET \/courses \(page 1\): answered HTTP 200 with a body that is not JSON/, watermark);
    fixture.setFaults({});
    expect((await runSync(db.orm, kind, client)).status).toBe('succeeded');
    expect(await snapshot(db.orm)).toEqual(clean);
  });

  it('stops a listing whose pages never end, repeating or inventing records', async () => {
    const watermark = await lastWatermark();
    fixture.setFaults({ pagesForever: 'repeat' });
    await expectFailure(await runSync(db.orm, kind, client, { full: true }), 'PAGING_LOOP', /repeating itself/, watermark);
    fixture.setFaults({ pagesForever: 'fresh' });
    const limited = syncClient(context, fixture.url, { maxPages: 12 });
    try {
      await expectFailure(await runSync(db.orm, kind, limited, { full: true }), 'PAGING_LIMIT', /stopped after 12 pages \(maxPages\)/, watermark);
    } finally {
      await limited.close();
    }
    fixture.setFaults({});
    expect((await runSync(db.orm, kind, client)).status).toBe('succeeded');
    expect(await snapshot(db.orm)).toEqual(clean);
    expect((await runs()).map((run) => run.status)).toEqual(['failed', 'succeeded', 'failed', 'succeeded', 'failed', 'succeeded', 'failed', 'failed', 'succeeded']);
  });
});
