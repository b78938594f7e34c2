import { request as httpRequest } from 'node:http';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import { createLocalJWKSet } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devIdpProfile } from '../../hub/dev-idp.js';
import { startGateway, subgraphEndpoints, type RunningGateway } from '../../gateway/gateway.js';
import { readSupergraph } from '../../gateway/supergraph.js';
import { ANONYMOUS, InvalidTokenError } from '../../lib/auth.js';
import { ConfigError } from '../../lib/config.js';
import { createHubVerifier } from '../../lib/hub-token.js';
import { quietLogger } from '../../lib/log.js';
import { createTemporaryDatabase, type TemporaryDatabase } from '../../lib/postgres-admin.js';
import { memorySharedState, postgresSharedState, sharedStateFromEnv, type SharedState } from '../../lib/shared-state.js';
import { openEscoDatabase } from '../../subgraphs/esco/database.js';
import { startEscoServer } from '../../subgraphs/esco/server.js';
import { TEST_POSTGRES_URL } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

/*
 * Two gateway replicas behind one port (issue 17, point 4): with
 * SHARED_STATE_URL they are one limit, and a hub token used at one replica of
 * a service is refused at the other (two real subgraph servers behind a
 * balancer, too). The same set-up with each replica's own
 * memory is the control: it shows what the shared store changes.
 */

const LIMIT = 10;
let hub: TestHub;
let database: TemporaryDatabase;
const states: SharedState[] = [];
const servers: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  database = await createTemporaryDatabase(TEST_POSTGRES_URL, 'hub_shared');
});
afterAll(async () => {
  for (const server of servers.reverse()) await server.stop();
  for (const state of states) await state.close().catch(() => undefined);
  await database?.drop();
  await hub?.stop();
});

/** A TCP balancer: each new connection goes to the next replica in turn (what a port-balancer does). */
async function balancer(ports: readonly number[]): Promise<{ port: number; served: number[] }> {
  const served = ports.map(() => 0);
  let next = 0;
  const server: Server = createServer((socket) => {
    const index = next++ % ports.length;
    served[index] = (served[index] ?? 0) + 1;
    const upstream = connect(ports[index] as number, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ stop: () => new Promise((resolve) => server.close(() => resolve())) });
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, served };
}

/** One POST on a connection of its own (keep-alive would pin every request to one replica). */
function post(port: number, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = httpRequest({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close', ...headers } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    call.on('error', reject);
    call.end(body);
  });
}

async function replica(sharedState: SharedState): Promise<RunningGateway> {
  const supergraphSdl = readSupergraph();
  const gateway = await startGateway({
    supergraphSdl,
    subgraphs: subgraphEndpoints(supergraphSdl, hub.hub.urls, { defaultMs: 5_000 }),
    logger: quietLogger(),
    auth: devIdpProfile(hub.hub.idp),
    hubSigner: hub.hub.hubSigner,
    rateLimitPerMinute: LIMIT,
    sharedState,
  });
  servers.push(gateway);
  return gateway;
}

/** Sends `count` anonymous requests through a balancer over two replicas; the statuses by count. */
async function through(pair: readonly SharedState[], count: number): Promise<{ ok: number; limited: number; served: number[] }> {
  const replicas = await Promise.all(pair.map((state) => replica(state)));
  const front = await balancer(replicas.map((gateway) => gateway.port));
  const statuses: number[] = [];
  // One after another: the budget is what is being shared, not a race.
  for (let i = 0; i < count; i += 1) statuses.push(await post(front.port, JSON.stringify({ query: '{ __typename }' })));
  return { ok: statuses.filter((status) => status === 200).length, limited: statuses.filter((status) => status === 429).length, served: front.served };
}

describe('two gateway replicas behind one port', () => {
  it('with SHARED_STATE_URL: one rate limit for both', async () => {
    const pair = [await postgresSharedState(database.url, quietLogger()), await postgresSharedState(database.url, quietLogger())];
    states.push(...pair);
    const result = await through(pair, LIMIT + 6);
    // Both replicas served, and together they let exactly LIMIT through.
    expect(result.served.every((count) => count >= (LIMIT + 6) / 2 - 1)).toBe(true);
    expect(result).toMatchObject({ ok: LIMIT, limited: 6 });
  });

  it('control: each replica counting in its own memory lets twice as much through', async () => {
    const result = await through([memorySharedState(), memorySharedState()], LIMIT + 6);
    expect(result.ok).toBe(LIMIT + 6);
  });
});

describe('hub tokens are single-use across the replicas of a service', () => {
  const verifiers = (a: SharedState, b: SharedState) => {
    const keys = createLocalJWKSet(hub.hub.hubSigner.jwks);
    return [createHubVerifier(keys, { uses: a.tokenUses('esco') }), createHubVerifier(keys, { uses: b.tokenUses('esco') })] as const;
  };

  it('a token used at one replica is refused at the other', async () => {
    const pair = [await postgresSharedState(database.url, quietLogger()), await postgresSharedState(database.url, quietLogger())];
    states.push(...pair);
    const [first, second] = verifiers(pair[0] as SharedState, pair[1] as SharedState);
    const token = `Bearer ${await hub.hub.hubSigner.sign(ANONYMOUS, 'esco')}`;
    await expect(first.verify(token, 'esco')).resolves.toEqual(ANONYMOUS);
    await expect(second.verify(token, 'esco')).rejects.toThrow(new InvalidTokenError('this hub token was already used'));
    // A fresh token is accepted at either.
    await expect(second.verify(`Bearer ${await hub.hub.hubSigner.sign(ANONYMOUS, 'esco')}`, 'esco')).resolves.toEqual(ANONYMOUS);
  });

  it('control: replicas with their own memory would each accept it once', async () => {
    const [first, second] = verifiers(memorySharedState(), memorySharedState());
    const token = `Bearer ${await hub.hub.hubSigner.sign(ANONYMOUS, 'esco')}`;
    await expect(first.verify(token, 'esco')).resolves.toEqual(ANONYMOUS);
    await expect(second.verify(token, 'esco')).resolves.toEqual(ANONYMOUS);
  });
});

describe('two replicas of a subgraph behind one port', () => {
  it('a hub token one replica accepted is refused when replayed to the other; without the store it would be accepted', async () => {
    // Two ESCO servers over the hub's ESCO database, each verifying hub tokens on its own, as two processes would.
    const orm = await openEscoDatabase({ kind: 'sqlite', location: join(hub.dataDir, 'esco.sqlite') });
    servers.push({ stop: () => orm.close() });
    const keys = createLocalJWKSet(hub.hub.hubSigner.jwks);
    const replay = async (pair: readonly SharedState[]) => {
      const replicas = await Promise.all(
        pair.map((state) => startEscoServer({ orm, databaseKind: 'sqlite', logger: quietLogger(), hubAuth: createHubVerifier(keys, { uses: state.tokenUses('esco') }) })),
      );
      servers.push(...replicas);
      const front = await balancer(replicas.map((replica) => replica.port));
      // What an attacker on the hub's network would do: send a token it saw once more.
      const headers = { authorization: `Bearer ${await hub.hub.hubSigner.sign(ANONYMOUS, 'esco')}` };
      const body = JSON.stringify({ query: '{ __typename }' });
      const statuses = [await post(front.port, body, headers), await post(front.port, body, headers)];
      return { statuses, served: front.served };
    };
    const shared = [await postgresSharedState(database.url, quietLogger()), await postgresSharedState(database.url, quietLogger())];
    states.push(...shared);
    // The balancer sent one to each replica: the second is the other replica's first sight of the token.
    expect(await replay(shared)).toEqual({ statuses: [200, 401], served: [1, 1] });
    expect(await replay([memorySharedState(), memorySharedState()])).toEqual({ statuses: [200, 200], served: [1, 1] });
  });
});

describe('the shared store itself', () => {
  it('a bad or unreachable SHARED_STATE_URL stops the start with one line', async () => {
    await expect(sharedStateFromEnv({ SHARED_STATE_URL: 'redis://127.0.0.1:6379' }, quietLogger())).rejects.toThrow(ConfigError);
    await expect(sharedStateFromEnv({ SHARED_STATE_URL: 'postgresql://postgres@127.0.0.1:1/none' }, quietLogger())).rejects.toThrow(/SHARED_STATE_URL: PostgreSQL cannot be used/);
    expect((await sharedStateFromEnv({}, quietLogger())).store).toBe('memory');
  });

  it('when PostgreSQL goes away, each replica keeps serving on its own counts', async () => {
    const lost = await createTemporaryDatabase(TEST_POSTGRES_URL, 'hub_shared_lost');
    const state = await postgresSharedState(lost.url, quietLogger());
    states.push(state);
    const limiter = state.limiter('requests', 3);
    const uses = state.tokenUses('esco');
    expect(await limiter.take('ip:a')).toBe(0);
    // The database is dropped under the running replica (its connections are ended with it).
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE "${new URL(lost.url).pathname.slice(1)}" WITH (FORCE)`);
    await admin.end();
    // Still answering: the budget falls back to this replica's memory, and so do token uses.
    const waits = [];
    for (let i = 0; i < 4; i += 1) waits.push(await limiter.take('ip:a'));
    expect(waits.filter((wait) => wait === 0).length).toBeGreaterThanOrEqual(2);
    expect(waits.at(-1)).toBeGreaterThan(0);
    expect(await uses.firstUse('token-1', Date.now() + 60_000)).toBe(true);
    expect(await uses.firstUse('token-1', Date.now() + 60_000)).toBe(false);
    await lost.drop().catch(() => undefined);
  });
});
