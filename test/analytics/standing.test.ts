import { afterAll, describe, expect, it, vi } from 'vitest';
import { quietLogger } from '../../lib/log.js';
import { StandingPublication } from '../../subgraphs/analytics/standing.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';

/*
 * A publication stands while the next is built (subgraphs/analytics/standing.ts):
 * building the alliance statistics takes seconds at the 300,000-learner scale,
 * longer than the gateway's deadline, so once one stands no reader waits for a
 * build; and the service builds the first as it starts.
 */

/** A build the test completes by hand, numbering what it publishes. */
function controlledBuilds() {
  const pending: { resolve(value: number): void; reject(error: Error): void }[] = [];
  let built = 0;
  return {
    pending,
    build: () => new Promise<number>((resolve, reject) => pending.push({ resolve: (value) => resolve(value), reject })),
    finish(index = pending.length - 1) {
      built += 1;
      pending[index]?.resolve(built);
    },
  };
}

describe('a standing publication', () => {
  let clock = 0;
  let ttl = 1_000;
  const make = (builds: ReturnType<typeof controlledBuilds>) =>
    new StandingPublication<number>({ name: 'test publication', build: builds.build, ttlMs: () => ttl, now: () => new Date(clock), logger: quietLogger() });

  it('makes the first reader wait for the first build, and every reader meanwhile shares it', async () => {
    const builds = controlledBuilds();
    const publication = make(builds);
    const first = publication.read();
    const second = publication.read();
    expect(builds.pending).toHaveLength(1);
    builds.finish();
    expect(await first).toBe(1);
    expect(await second).toBe(1);
    expect(publication.publishedAt).toBe(clock);
  });

  it('answers an old publication at once and rebuilds it once behind the readers', async () => {
    const builds = controlledBuilds();
    const publication = make(builds);
    const first = publication.read();
    builds.finish();
    await first;
    clock += ttl;
    // Old: the readers get it at once (the build is still pending), and only one rebuild starts.
    expect(await publication.read()).toBe(1);
    expect(await publication.read()).toBe(1);
    expect(builds.pending).toHaveLength(2);
    builds.finish();
    await publication.refresh();
    expect(await publication.read()).toBe(2);
    expect(publication.publishedAt).toBe(clock);
    expect(builds.pending).toHaveLength(2);
  });

  it('keeps serving the standing publication when a rebuild fails, and tries again', async () => {
    const builds = controlledBuilds();
    const publication = make(builds);
    const first = publication.read();
    builds.finish();
    await first;
    clock += ttl;
    expect(await publication.read()).toBe(1);
    const failing = publication.refresh();
    builds.pending[1]?.reject(new Error('a member did not answer'));
    await expect(failing).rejects.toThrow('a member did not answer');
    expect(await publication.read()).toBe(1);
    // That read found it old again and started the next attempt.
    expect(builds.pending).toHaveLength(3);
    builds.finish(2);
    expect(await publication.refresh()).toBe(2);
  });

  it('lets a time to live of 0 rebuild behind every reader', async () => {
    ttl = 0;
    const builds = controlledBuilds();
    const publication = make(builds);
    const first = publication.read();
    builds.finish();
    await first;
    expect(await publication.read()).toBe(1);
    expect(builds.pending).toHaveLength(2);
    ttl = 1_000;
  });
});

describe('the analytics service as npm start runs it', () => {
  let hub: TestHub | undefined;
  afterAll(async () => {
    await hub?.stop();
  });

  it('builds the publications as it starts, so the first analyst reads them without asking a member', async () => {
    hub = await startTestHub({ learners: 30, analyticsWarm: true });
    const service = hub.hub.analyticsService;
    // Nobody reads anything: the service builds both on its own.
    await vi.waitFor(
      () => {
        expect(service.publication.publishedAt).not.toBeNull();
        expect(service.outcomes.publishedAt).not.toBeNull();
      },
      { timeout: 30_000, interval: 100 },
    );
    expect((await service.publication.read()).unavailable).toEqual([]);
    expect((await service.outcomes.read()).unavailable).toEqual([]);
    const calls: string[] = [];
    service.observe = (call) => calls.push(call.service);
    const answer = await hub.query(
      `{ allianceStatistics(by: KIND) { publishedAt total { enrolments } } credentialStatistics { k } }`,
      {},
      await bearer(hub.hub, { role: 'analyst', subject: 'analyst@eciu.eu' }),
    );
    service.observe = undefined;
    expect(answer.body.errors).toBeUndefined();
    expect(Date.parse((answer.body.data?.['allianceStatistics'] as { publishedAt: string }).publishedAt)).toBe(service.publication.publishedAt);
    expect(calls).toEqual([]);
  });
});
