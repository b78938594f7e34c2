import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, subgraphEndpoints, type RunningGateway } from '../../gateway/gateway.js';
import { readSupergraph } from '../../gateway/supergraph.js';
import { devIdpProfile } from '../../hub/dev-idp.js';
import type { SignedIn } from '../../lib/access.js';
import { createHttpClient, type HttpClient } from '../../lib/http-client.js';
import { localHubVerifier } from '../../lib/hub-token.js';
import { quietLogger } from '../../lib/log.js';
import { REPO_ROOT } from '../../lib/paths.js';
import type { RunningServer } from '../../lib/server.js';
import { CohortJobRecord } from '../../subgraphs/issuance/cohort-store.js';
import type { IssuanceService } from '../../subgraphs/issuance/context.js';
import { openIssuanceDatabase } from '../../subgraphs/issuance/database.js';
import { IssuedCredential } from '../../subgraphs/issuance/records.js';
import { allianceIssuer, createIssuanceService, startIssuanceServer } from '../../subgraphs/issuance/server.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';
import { memberProfile } from '../../hub/alliance.js';
import { temporaryDatabase, type TemporaryTarget } from '../helpers/databases.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';
import { passed } from './demo-achievements.js';

/*
 * Issue 17, point 4/6: a cohort job is visible and resumable from either of
 * two issuance replicas over one database, and a replica killed outright in
 * the middle of a cohort leaves nothing issued twice and nothing lost once a
 * replica carries the job on. Real servers and real databases throughout;
 * only the lease and sweep are shortened (seconds instead of 30 s / 10 s).
 */

const MEMBER = 'unitn.it';
// The member's offering with the most passed achievements among the test learners (13 of them).
const cohortOf = new Map<string, string[]>();
for (const item of passed) if (item.memberId === MEMBER) cohortOf.set(item.offering.id, [...(cohortOf.get(item.offering.id) ?? []), item.achievement.id]);
const [OFFERING, COHORT] = [...cohortOf].sort((a, b) => b[1].length - a[1].length)[0] as [string, string[]];
const KIND = 'PARTICIPATION';
/**
 * Members may serve fewer than `first` achievements a page (Relay's `first`
 * is an upper bound); the proxy below makes the member serve three, so the
 * cohort spans five pages and a replica can die between two of them without
 * seeding thousands of learners.
 */
const PAGE = 3;
const STAFF: SignedIn = { kind: 'user', subject: `staff@${MEMBER}`, roles: ['member-staff'], memberId: MEMBER };

const JOB_FIELDS = 'id status total issued alreadyIssued refused failure attempts resumedAt finishedAt';
const START = /* GraphQL */ `mutation ($id: ID!, $kind: CredentialKind) { issueCohort(offeringId: $id, kind: $kind) { ${JOB_FIELDS} } }`;
const JOB = /* GraphQL */ `query ($id: ID!) { issuanceJob(id: $id) { ${JOB_FIELDS} } }`;

interface JobView {
  id: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  total: number | null;
  issued: number;
  alreadyIssued: number;
  refused: number;
  failure: string | null;
  attempts: number;
  resumedAt: string | null;
  finishedAt: string | null;
}

let hub: TestHub;
const cleanups: (() => Promise<unknown> | void)[] = [];

beforeAll(async () => {
  // One member is all a cohort needs; a smaller hub starts faster.
  hub = await startTestHub({ registry: parseRegistry({ members: [{ id: MEMBER, name: memberProfile(MEMBER)?.name, endpoint: 'http://127.0.0.1:0/graphql' }] }) });
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await hub?.stop();
}, 30_000);

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A GraphQL call straight to an issuance replica, signed as the hub signs what the gateway forwards. */
async function callIssuance(url: string, query: string, variables: Record<string, unknown>): Promise<GraphQLBody> {
  // A fresh token each call: replicas refuse a hub token used before.
  const token = await hub.hub.hubSigner.sign(STAFF, 'issuance');
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as GraphQLBody;
}

async function jobAt(url: string, id: string): Promise<JobView> {
  const body = await callIssuance(url, JOB, { id });
  expect(body.errors).toBeUndefined();
  return body.data?.['issuanceJob'] as JobView;
}

async function startJob(url: string): Promise<JobView> {
  const body = await callIssuance(url, START, { id: OFFERING, kind: KIND });
  expect(body.errors).toBeUndefined();
  return body.data?.['issueCohort'] as JobView;
}

/** Polls until `done` holds for the job (a condition on state, never a fixed sleep). */
async function until(read: () => Promise<JobView>, done: (job: JobView) => boolean, withinMs: number, what: string): Promise<JobView> {
  const deadline = Date.now() + withinMs;
  let job = await read();
  while (!done(job)) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${withinMs} ms; the job is ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    job = await read();
  }
  return job;
}

/** Every credential of the cohort's kind in an issuance database, by achievement. */
async function credentialsIn(orm: MikroORM): Promise<string[]> {
  const rows = await orm.em.fork().find(IssuedCredential, { offeringId: OFFERING, kind: KIND }, { fields: ['achievementId'] });
  return rows.map((row) => row.achievementId).sort();
}

interface MembersProxy {
  url: string;
  /** Cohort pages read through the proxy so far. */
  pagesRead: number;
  /** Holds the cohort read with this number (1 = the first page) until `release()`; null: hold nothing. */
  holdPage: number | null;
  release(): void;
}

/**
 * The member router as the issuance replicas see it: every request passed on
 * unchanged, except that cohort reads ask for PAGE achievements, and one
 * chosen page read can be held (a slow member) so that a test knows the job is
 * between two pages when it kills the replica.
 */
async function startMembersProxy(target: string, client: HttpClient): Promise<MembersProxy> {
  const held: (() => void)[] = [];
  const proxy: MembersProxy = {
    url: '',
    pagesRead: 0,
    holdPage: null,
    release: () => {
      proxy.holdPage = null;
      for (const go of held.splice(0)) go();
    },
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks).toString('utf8');
    const parsed = JSON.parse(body) as { query?: string; variables?: Record<string, unknown> };
    if (parsed.query?.includes('query IssuanceCohort')) {
      proxy.pagesRead += 1;
      body = JSON.stringify({ ...parsed, variables: { ...parsed.variables, first: PAGE } });
      if (proxy.pagesRead === proxy.holdPage) await new Promise<void>((resolve) => held.push(resolve));
    }
    const answer = await client.post(target, {
      headers: { 'content-type': 'application/json', ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}) },
      body,
      timeoutMs: 5_000,
    });
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(answer.text);
  };
  const server: Server = createServer((request, response) => {
    // A replica killed while its read was held is gone: nobody is left to answer.
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        proxy.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return proxy;
}

describe('a cohort job shared by two issuance replicas over one PostgreSQL database', () => {
  const LEASE_MS = 1_000;
  let database: TemporaryTarget;
  let client: HttpClient;
  let proxy: MembersProxy;
  let gateway: RunningGateway;
  const replicas: { orm: MikroORM; service: IssuanceService; server: RunningServer }[] = [];
  /** Replica A's page hook: resolves when A has stored its second page (its first is recorded by then), and lets A go on. */
  const secondPage = { reached: null as null | (() => void), go: null as null | (() => void) };
  const reachedSecondPage = new Promise<void>((resolve) => (secondPage.reached = resolve));
  const goOn = new Promise<void>((resolve) => (secondPage.go = resolve));

  beforeAll(async () => {
    database = await temporaryDatabase('postgresql');
    cleanups.push(() => database.drop());
    client = createHttpClient();
    cleanups.push(() => client.close());
    proxy = await startMembersProxy(hub.hub.urls.members, client);
    const keysDir = join(tempDir('cohort-replicas-'), 'issuer');
    let stored = 0;
    for (const name of ['A', 'B']) {
      // One after the other: the first runs the migrations and creates the issuing key both replicas seal with.
      const orm = await openIssuanceDatabase(database.target);
      cleanups.push(() => orm.close(true));
      const service = await createIssuanceService({
        orm,
        keysDir,
        createKeys: name === 'A',
        issuer: allianceIssuer(hub.hub.publicUrl),
        sources: { client, signer: hub.hub.hubSigner, membersUrl: proxy.url, escoUrl: hub.hub.urls.esco, recognitionUrl: hub.hub.urls.recognition, timeoutMs: 5_000 },
        members: hub.hub.registry.members.map((member) => ({ id: member.id, name: member.name })),
        logger: quietLogger(`issuance ${name}`),
        correctionPollMs: 0,
        cohortJobs: {
          leaseMs: LEASE_MS,
          sweepMs: 100,
          // Only A is held, after its second page's credentials are stored and before that page is recorded.
          ...(name === 'A'
            ? {
                afterPageStored: async () => {
                  stored += 1;
                  if (stored !== 2) return;
                  secondPage.reached?.();
                  await goOn;
                },
              }
            : {}),
        },
      });
      cleanups.push(() => service.close());
      const server = await startIssuanceServer({ service, logger: quietLogger(`issuance ${name}`), port: 0, host: '127.0.0.1', hubAuth: localHubVerifier(hub.hub.hubSigner.jwks) });
      cleanups.push(() => server.stop());
      replicas.push({ orm, service, server });
    }
    // The gateway as the hub's own, but with replica B as its issuance subgraph.
    const supergraphSdl = readSupergraph();
    gateway = await startGateway({
      supergraphSdl,
      subgraphs: subgraphEndpoints(supergraphSdl, { ...hub.hub.urls, issuance: replicas[1]!.server.url }, { defaultMs: 5_000 }),
      logger: quietLogger('gateway'),
      auth: devIdpProfile(hub.hub.idp),
      hubSigner: hub.hub.hubSigner,
      port: 0,
      host: '127.0.0.1',
    });
    cleanups.push(() => gateway.stop());
  }, 60_000);

  async function jobThroughGateway(id: string): Promise<JobView> {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearer(hub.hub, { role: 'member-staff', memberId: MEMBER })) },
      body: JSON.stringify({ query: JOB, variables: { id } }),
    });
    const body = (await response.json()) as GraphQLBody;
    expect(body.errors).toBeUndefined();
    return body.data?.['issuanceJob'] as JobView;
  }

  it('shows the job started at A through B and the gateway, and B finishes it once A dies: every achievement issued exactly once', async () => {
    const [a, b] = replicas as [(typeof replicas)[number], (typeof replicas)[number]];
    const started = await startJob(a.server.url);
    expect(started).toMatchObject({ status: 'RUNNING', attempts: 1, resumedAt: null });
    await reachedSecondPage;

    // A is alive and renewing its lease: B and the gateway see the job and its first recorded page.
    const seen = { status: 'RUNNING', total: COHORT.length, issued: PAGE, alreadyIssued: 0, refused: 0, attempts: 1, resumedAt: null };
    expect(await jobAt(b.server.url, started.id)).toMatchObject(seen);
    expect(await jobThroughGateway(started.id)).toMatchObject(seen);
    // Twice a lease later B has still not taken it: a renewed lease keeps the job where it is.
    await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS));
    expect(await jobAt(b.server.url, started.id)).toMatchObject(seen);
    expect(b.service.cohorts.progress().running).toBe(0);

    // A dies between storing a page and recording it: halted, it writes nothing more (not even its lease
    // back, as kill -9 would not), and its server goes away.
    const died = Date.now();
    a.service.cohorts.halt();
    secondPage.go?.();
    await a.server.stop();
    const left = await b.orm.em.fork().findOneOrFail(CohortJobRecord, { id: started.id });
    expect(left).toMatchObject({ status: 'RUNNING', leaseOwner: a.service.cohorts.replicaId, attempts: 1, issued: PAGE });

    const finished = await until(() => jobAt(b.server.url, started.id), (job) => job.status !== 'RUNNING', 15_000, 'the takeover by B');
    expect(finished).toMatchObject({ status: 'COMPLETED', total: COHORT.length, refused: 0, failure: null, attempts: 2 });
    expect(new Date(finished.resumedAt as string).getTime()).toBeGreaterThanOrEqual(died);
    expect(await jobThroughGateway(started.id)).toMatchObject({ status: 'COMPLETED', attempts: 2 });

    // 0 lost, 0 duplicates: the credentials table holds each achievement of the cohort once.
    expect(await credentialsIn(b.orm)).toEqual([...COHORT].sort());
    // B did the rest: it resumed after A's recorded page (re-reading the first page would count it again),
    // found what A stored but never recorded, and issued what was left.
    const [totalsA, totalsB] = [a.service.cohorts.progress().totals, b.service.cohorts.progress().totals];
    expect(totalsA).toMatchObject({ completed: 0, issued: PAGE });
    expect(totalsB).toMatchObject({ completed: 1, failed: 0 });
    expect(totalsB.issued).toBeGreaterThan(0);
    // A's second page was stored before A died and never recorded: B met it as already issued.
    expect(totalsB.alreadyIssued).toBeGreaterThanOrEqual(PAGE);
    expect(finished.issued).toBe(totalsA.issued + totalsB.issued);
    expect(finished.alreadyIssued).toBe(totalsB.alreadyIssued);
    expect(finished.issued + finished.alreadyIssued).toBe(COHORT.length);
  }, 30_000);
});

describe('an issuance process killed with SIGKILL in the middle of a cohort', () => {
  const LEASE_SECONDS = 2;
  let proxy: MembersProxy;
  let env: NodeJS.ProcessEnv;
  let databaseFile: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const client = createHttpClient();
    cleanups.push(() => client.close());
    proxy = await startMembersProxy(hub.hub.urls.members, client);
    const dir = tempDir('cohort-kill-');
    databaseFile = join(dir, 'issuance.sqlite');
    env = {
      ...process.env,
      APOLLO_TELEMETRY_DISABLED: '1',
      DATABASE_URL: `sqlite:${databaseFile}`,
      PUBLIC_URL: hub.hub.publicUrl,
      ISSUER_KEYS_DIR: join(dir, 'issuer'),
      ISSUER_CREATE_KEY: 'true',
      // The hub's signing key: the router accepts the child's reads, the child accepts the test's calls.
      HUB_KEYS_DIR: join(hub.dataDir, 'keys'),
      MEMBERS_URL: proxy.url,
      ESCO_URL: hub.hub.urls.esco,
      RECOGNITION_URL: hub.hub.urls.recognition,
      PORT: '0',
      CORRECTION_POLL_SECONDS: '0',
      // Sealed on a worker thread as in production: the kill takes the thread down with the process.
      SEAL_WORKERS: '1',
      VERIFY_WORKERS: '0',
      COHORT_LEASE_SECONDS: String(LEASE_SECONDS),
      COHORT_SWEEP_SECONDS: '1',
    };
    cleanups.push(() => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  });

  /** `npm run issuance` without npm (one PID to signal), resolved with its URL once it says it serves. */
  function startIssuanceProcess(): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/issuance/index.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    return new Promise((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        const url = /serving (http:\/\/\S+\/graphql)/.exec(output)?.[1];
        if (url) resolve({ child, url });
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      child.once('exit', (code, signal) => reject(new Error(`the issuance process exited (${code ?? signal}) before serving:\n${output}`)));
    });
  }

  function exited(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode ?? child.exitCode);
    return new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  }

  /** The database as the dead process left it (opened and closed again, so that only one process writes at a time). */
  async function inspect<T>(read: (orm: MikroORM) => Promise<T>): Promise<T> {
    const orm = await openIssuanceDatabase({ kind: 'sqlite', location: databaseFile });
    try {
      return await read(orm);
    } finally {
      await orm.close(true);
    }
  }

  it('restarted over the same database and asked again, it carries the job on: 0 duplicates, 0 lost', async () => {
    // The third page read waits: the job is then past its first page and short of its last when it is killed.
    proxy.holdPage = 3;
    const first = await startIssuanceProcess();
    const started = await startJob(first.url);
    const midway = await until(() => jobAt(first.url, started.id), (job) => job.issued + job.alreadyIssued > 0, 15_000, 'the first recorded page');
    expect(midway.issued + midway.alreadyIssued).toBeLessThan(COHORT.length);
    first.child.kill('SIGKILL');
    expect(await exited(first.child)).toBe('SIGKILL');
    proxy.release();

    // What kill -9 left: the job running under the dead process's lease, and some (not all) credentials stored,
    // at least those of the recorded pages (a page stored but not yet recorded may be there too).
    const left = await inspect(async (orm) => ({ row: await orm.em.fork().findOneOrFail(CohortJobRecord, { id: started.id }), stored: (await credentialsIn(orm)).length }));
    expect(left.row).toMatchObject({ status: 'RUNNING', attempts: 1 });
    expect(left.row.leaseOwner).toContain(`:${first.child.pid}:`);
    expect(left.stored).toBeGreaterThanOrEqual(left.row.issued);
    expect(left.stored).toBeLessThan(COHORT.length);

    const second = await startIssuanceProcess();
    // The operator's retry: the same cohort again returns the job that was running, not a new one.
    const retried = await startJob(second.url);
    expect(retried.id).toBe(started.id);
    const finished = await until(() => jobAt(second.url, started.id), (job) => job.status !== 'RUNNING', 15_000, 'the resumed job finishing');
    expect(finished).toMatchObject({ status: 'COMPLETED', total: COHORT.length, refused: 0, failure: null, attempts: 2 });
    expect(finished.resumedAt).not.toBeNull();
    // Resumed after the last recorded page: what was stored but unrecorded counts as already issued, the rest is
    // issued now, and nothing is counted twice.
    expect(finished.alreadyIssued).toBe(left.stored - left.row.issued);
    expect(finished.issued).toBe(left.row.issued + COHORT.length - left.stored);

    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    expect(await inspect(credentialsIn)).toEqual([...COHORT].sort());
  }, 40_000);
});
