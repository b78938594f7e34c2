import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { createAdmission, DEFAULT_ADMISSION, type AdmissionOptions } from '../../gateway/admission.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

/*
 * Cost-aware admission (gateway/admission.ts): the rules, then the gateway
 * applying them per caller. Behaviour only; what it does to latency under
 * attack is measured by `npm run bench:attack`.
 */

const admission = (options: Partial<AdmissionOptions>) => createAdmission({ ...DEFAULT_ADMISSION, ...options });

async function refusedWith(promise: Promise<unknown>): Promise<{ code: unknown; status: unknown; retryAfter: unknown; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    const { extensions, message } = error as GraphQLError;
    const http = extensions['http'] as unknown as { status: number; headers: Map<string, string> };
    return { code: extensions['code'], status: http.status, retryAfter: http.headers.get('retry-after'), message };
  }
  throw new Error('admitted, expected a refusal');
}

describe('the admission rules', () => {
  it("refuse a caller whose cost budget for the minute is spent, and only that caller", async () => {
    const gate = admission({ costPerMinute: 1_000 });
    (await gate.admit('ip:a', 600))();
    (await gate.admit('ip:a', 600))();
    const refusal = await refusedWith(gate.admit('ip:a', 1));
    expect(refusal).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(Number(refusal.retryAfter)).toBeGreaterThan(0);
    expect(refusal.message).toMatch(/^Too much asked for this minute: queries from this caller may return up to 1,000 objects a minute; try again in \d+ s\.$/);
    (await gate.admit('ip:b', 600))();
  });

  it("cap a caller's cost in flight, but always admit one query when none of its own runs", async () => {
    const gate = admission({ maxInFlightCost: 1_000 });
    const first = await gate.admit('ip:a', 800);
    expect(await refusedWith(gate.admit('ip:a', 300))).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfter: '1' });
    const small = await gate.admit('ip:a', 200);
    const other = await gate.admit('ip:b', 900);
    first();
    small();
    other();
    const large = await gate.admit('ip:a', 5_000);
    large();
    expect(gate.stats()).toEqual({ running: 0, waiting: 0, callers: 0 });
  });

  it('queue over the global limit and hand freed slots round-robin between callers', async () => {
    const gate = admission({ maxConcurrent: 1 });
    const started: string[] = [];
    const releases = new Map<string, () => void>();
    const queue = (caller: string, name: string) =>
      gate.admit(caller, 10).then((release) => {
        started.push(name);
        releases.set(name, release);
      });
    const holder = await gate.admit('ip:a', 10);
    const pending = [queue('ip:a', 'a1'), queue('ip:a', 'a2'), queue('ip:a', 'a3'), queue('ip:b', 'b1')];
    // The cost budget is read first (from a store replicas may share: lib/shared-state.ts), then the operation queues.
    await new Promise((resolve) => setImmediate(resolve));
    expect(gate.stats()).toEqual({ running: 1, waiting: 4, callers: 2 });
    holder();
    for (const next of ['a1', 'b1', 'a2', 'a3']) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(started.at(-1)).toBe(next);
      releases.get(next)?.();
    }
    await Promise.all(pending);
    // b1 ran second, not behind all of a's queue.
    expect(started).toEqual(['a1', 'b1', 'a2', 'a3']);
    expect(gate.stats()).toEqual({ running: 0, waiting: 0, callers: 0 });
  });

  it("bound each caller's queue", async () => {
    const gate = admission({ maxConcurrent: 1, maxQueuedPerCaller: 2 });
    const holder = await gate.admit('ip:x', 1);
    const waiting = [gate.admit('ip:a', 1), gate.admit('ip:a', 1)].map((admitted) => admitted.then((release) => release()));
    expect(await refusedWith(gate.admit('ip:a', 1))).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    holder();
    await Promise.all(waiting);
    expect(gate.stats()).toEqual({ running: 0, waiting: 0, callers: 0 });
  });

  it('answer 503 with Retry-After when no slot frees up in time, and forget the waiter', async () => {
    const gate = admission({ maxConcurrent: 1, queueTimeoutMs: 20 });
    const holder = await gate.admit('ip:x', 1);
    const refusal = await refusedWith(gate.admit('ip:a', 5));
    expect(refusal).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, retryAfter: '1' });
    expect(gate.stats()).toEqual({ running: 1, waiting: 0, callers: 1 });
    holder();
    holder();
    expect(gate.stats()).toEqual({ running: 0, waiting: 0, callers: 0 });
  });

  it('open every gate with zeros', async () => {
    const gate = admission({ costPerMinute: 0, maxInFlightCost: 0, maxConcurrent: 0 });
    const releases = await Promise.all(Array.from({ length: 50 }, () => gate.admit('ip:a', 1_000_000)));
    expect(gate.stats().running).toBe(50);
    for (const release of releases) release();
  });
});

describe('the gateway', () => {
  let hub: TestHub;
  /** While set, member requests wait for it: queries stay in flight as long as the test wants. */
  let hold: Promise<void> | undefined;
  let arrived: () => void = () => {};
  const holding: ApolloServerPlugin<BaseContext> = {
    async requestDidStart() {
      arrived();
      await hold;
    },
  };
  const PAGE = '{ offerings(first: 100) { nodes { id } } }';

  beforeAll(async () => {
    hub = await startTestHub(
      {
        learners: 5,
        registry: parseRegistry({ members: [{ id: 'tuni.fi', name: memberProfile('tuni.fi')?.name, endpoint: 'http://127.0.0.1:0/graphql' }] }),
        memberPlugins: () => [holding],
        // Queries stay in flight by holding the member's answer: none may come from the router's catalogue cache.
        catalogueCacheMs: 0,
      },
      { admission: { costPerMinute: 1_000, maxInFlightCost: 150 }, trustedProxies: ['loopback'] },
    );
  });
  afterAll(async () => {
    await hub?.stop();
  });

  const from = (address: string) => ({ 'x-forwarded-for': address });

  it("spends each anonymous client's own cost budget (101 objects a page, 1,000 a minute)", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) statuses.push((await hub.query(PAGE, {}, from('198.51.100.1'))).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    const refused = await hub.query(PAGE, {}, from('198.51.100.1'));
    expect(refused.body.errors?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED' });
    expect((await hub.query(PAGE, {}, from('198.51.100.2'))).status).toBe(200);
  });

  it('refuses a second heavy query while the first is in flight, for that caller only', async () => {
    let open = () => {};
    hold = new Promise((resolve) => {
      open = resolve;
    });
    const atMember = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const first = hub.query(PAGE, {}, from('198.51.100.3'));
    // The first is admitted and waiting at the member before the second is sent.
    await atMember;
    arrived = () => {};
    const second = await hub.query(PAGE, {}, from('198.51.100.3'));
    expect(second.status).toBe(429);
    expect(second.body.errors?.[0]?.message).toMatch(/^Too much at once: this caller's queries already running could return 101 objects \(limit 150 at a time\)/);
    const other = hub.query(PAGE, {}, from('198.51.100.4'));
    hold = undefined;
    open();
    expect((await first).status).toBe(200);
    expect((await other).status).toBe(200);
    expect((await hub.query(PAGE, {}, from('198.51.100.3'))).status).toBe(200);
  });
});
