import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHiveGateway } from '../../deploy/hive-gateway/gateway.js';
import { subgraphEndpoints } from '../../gateway/gateway.js';
import { readSupergraph } from '../../gateway/supergraph.js';
import { PASS_THROUGH_BODY_LIMIT } from '../../gateway/pass-through.js';
import { issuancePassThrough } from '../../gateway/wiring.js';
import { ISSUANCE_ROUTES } from '../../subgraphs/issuance/server.js';
import { memberProfile } from '../../hub/alliance.js';
import { devIdpProfile } from '../../hub/dev-idp.js';
import { learnerId } from '../../hub/demo.js';
import { startHub, type RunningHub } from '../../hub/stack.js';
import { quietLogger } from '../../lib/log.js';
import type { RunningServer } from '../../lib/server.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';
import { bearer } from '../helpers/tokens.js';

/*
 * Another Fed 2 gateway in front of the hub (issue 10, fix 8): Hive Gateway
 * serving the committed supergraph with the hub's edge plugin
 * (deploy/hive-gateway). The hostile cases that an unconfigured Hive Gateway
 * let through (a depth-9 query, a 100 × 100 query, anonymous protected
 * reads, the REST routes 404ing) run through it here, and the portal's
 * ordinary queries still work.
 */

let hub: RunningHub;
let hive: RunningServer;
const FAILED_SIGN_INS_PER_MINUTE = 20;

beforeAll(async () => {
  hub = await startHub({
    logger: quietLogger(),
    dataDir: mkdtempSync(join(tmpdir(), 'hive-gateway-')),
    learners: 5,
    registry: parseRegistry({ members: [{ id: 'tuni.fi', name: memberProfile('tuni.fi')?.name, endpoint: 'http://127.0.0.1:0/graphql' }] }),
  });
  const supergraphSdl = readSupergraph();
  const subgraphs = subgraphEndpoints(supergraphSdl, hub.urls, { defaultMs: 5_000 });
  hive = await startHiveGateway({
    supergraphSdl,
    subgraphs,
    passThrough: issuancePassThrough(subgraphs),
    auth: devIdpProfile(hub.idp),
    hubSigner: hub.hubSigner,
    failedSignInsPerMinute: FAILED_SIGN_INS_PER_MINUTE,
  });
}, 60_000);
afterAll(async () => {
  await hive?.stop();
  await hub?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(hive.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Answer['body'] };
}

const codes = (answer: Answer) => (answer.body.errors ?? []).map((error) => error.extensions?.['code']);
const base = () => hive.url.replace(/\/graphql$/, '');

/** Never in a response: stack frames, SQL, internal addresses, file paths. */
const LEAK = /\bat .*\.(ts|js):\d+|select .* from|sqlite|127\.0\.0\.1|localhost|\/work\/|node_modules/i;

/** offerings → nodes → institution, `rounds` times, then `leaf` inside the last institution. */
const offeringChain = (rounds: number, leaf: string): string => (rounds === 0 ? leaf : `offerings(first: 1) { nodes { institution { ${offeringChain(rounds - 1, leaf)} } } }`);

describe('Hive Gateway with the hub plugin: what the portal does', () => {
  it('answers a catalogue query across the members router and ESCO, each called with a hub token', async () => {
    const answer = await post({ query: '{ institutions { id name } offerings(first: 2) { totalCount nodes { title institution { id } } } skills(first: 1) { totalCount } }' });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data?.['institutions'].map((institution: { id: string }) => institution.id)).toContain('tuni.fi');
    expect(answer.body.data?.['offerings'].totalCount).toBeGreaterThan(0);
    expect(answer.body.data?.['skills'].totalCount).toBeGreaterThan(0);
  });

  it('serves a signed-in learner their own record, and nobody else’s', async () => {
    const id = learnerId(0);
    const query = 'query ($id: ID!) { learner(id: $id) { id } }';
    const own = await post({ query, variables: { id } }, await bearer(hub, { role: 'learner', learnerId: id }));
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data?.['learner']).toEqual({ id });

    const someoneElse = await post({ query, variables: { id } }, await bearer(hub, { role: 'learner', learnerId: learnerId(1) }));
    expect(someoneElse.body.data?.['learner'] ?? null).toBeNull();
    expect(codes(someoneElse).length).toBeGreaterThan(0);
    expect(someoneElse.text).not.toMatch(LEAK);
  });

  it('publishes the hub keys where member subgraphs fetch them', async () => {
    const response = await fetch(`${base()}/.well-known/hub-jwks.json`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { keys: unknown[] }).keys).toEqual(hub.hubSigner.jwks.keys);
  });
});

describe('Hive Gateway with the hub plugin: the hostile cases', () => {
  it('refuses an anonymous protected read (a forged identity never reaches a subgraph)', async () => {
    const answer = await post({ query: `{ learner(id: "${learnerId(0)}") { id } }` });
    expect(answer.body.data?.['learner'] ?? null).toBeNull();
    expect(codes(answer)).toContain('UNAUTHENTICATED');
    expect(answer.text).not.toMatch(LEAK);
  });

  it('answers a forged or expired token with 401 before anything runs', async () => {
    const forged = `${(await hub.idp.issue({ role: 'alliance-admin' })).slice(0, -6)}AAAAAA`;
    const answer = await post({ query: '{ institutions { id } }' }, { authorization: `Bearer ${forged}` });
    expect(answer.status).toBe(401);
    expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
    expect(answer.headers.get('www-authenticate')).toMatch(/invalid_token/);
    expect(answer.body.data).toBeUndefined();
  });

  it('limits a flood of bad tokens: once an address has spent its budget of failed sign-ins, 429 without verifying', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < FAILED_SIGN_INS_PER_MINUTE + 5; i += 1) {
      statuses.push((await post({ query: '{ __typename }' }, { authorization: `Bearer not.a.token${i}` })).status);
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(FAILED_SIGN_INS_PER_MINUTE);
  });

  it('refuses a depth-9 query that Hive Gateway alone answers', async () => {
    // offerings → nodes → institution → offerings → nodes → institution → offerings → nodes → title: depth 9.
    const deep = await post({ query: `{ ${offeringChain(2, 'offerings(first: 1) { nodes { title } }')} }` });
    expect(deep.status).toBe(400);
    expect(codes(deep)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(deep.body.errors?.[0]?.message).toMatch(/depth/i);
    expect(deep.body.data).toBeUndefined();
    // Depth 8 is the portal's room and is answered.
    const eight = await post({ query: `{ ${offeringChain(2, 'offerings(first: 1) { totalCount }')} }` });
    expect(eight.body.errors).toBeUndefined();
  });

  it('refuses a 100 × 100 query over the result-size limit, with the documented code', async () => {
    const hundredByHundred = 'offerings(first: 100) { nodes { institution { offerings(first: 100) { nodes { id } } } } }';
    const answer = await post({ query: `{ a: ${hundredByHundred} b: ${hundredByHundred} }` });
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['QUERY_TOO_LARGE']);
    expect(answer.body.errors?.[0]?.message).toMatch(/up to 20,\d{3} objects \(limit 20,000\)/);
    // One 100 × 100 is within the limit and answered.
    const one = await post({ query: `{ ${hundredByHundred} }` });
    expect(one.status).toBe(200);
    expect(one.body.errors).toBeUndefined();
  });

  it('counts page sizes passed in variables', async () => {
    const query = 'query ($n: Int) { a: offerings(first: $n) { nodes { institution { offerings(first: $n) { nodes { id } } } } } b: offerings(first: $n) { nodes { institution { offerings(first: $n) { nodes { id } } } } } }';
    expect(codes(await post({ query, variables: { n: 100 } }))).toEqual(['QUERY_TOO_LARGE']);
    const small = await post({ query, variables: { n: 2 } });
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
  });

  it('refuses too many aliases and over-long documents', async () => {
    const aliases = await post({ query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: __typename`).join(' ')} }` });
    expect(aliases.status).toBe(400);
    expect(aliases.body.errors?.[0]?.message).toMatch(/alias/i);
    const long = await post({ query: `{ ${Array.from({ length: 2_100 }, () => '__typename').join(' ')} }` });
    expect(long.status).toBe(400);
    expect(codes(long)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(long.text).not.toMatch(LEAK);
  });
});

describe('Hive Gateway with the hub plugin: the REST routes sealed into credentials', () => {
  it('passes /issuers/… and POST /credentials/verify through to the issuance service', async () => {
    const issuers = await fetch(`${base()}${ISSUANCE_ROUTES.jwks}`);
    expect(issuers.status).toBe(200);
    expect(((await issuers.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    // The issuance service's own answer to malformed input (not the gateway's 404).
    const verify = await fetch(`${base()}${ISSUANCE_ROUTES.verify}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"verifiableCredential": ' });
    expect(verify.status).toBe(400);
    expect(await verify.text()).not.toMatch(LEAK);
  });

  it('refuses a body over the pass-through limit with 413, as our gateway does', async () => {
    const response = await fetch(`${base()}${ISSUANCE_ROUTES.verify}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `"${'x'.repeat(PASS_THROUGH_BODY_LIMIT)}"` });
    expect(response.status).toBe(413);
    // The gateway's refusal (it does not buffer the body to pass on), not the service's.
    expect((await response.json()) as Answer['body']).toEqual({ errors: [{ message: 'The body is larger than 2 MB.', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('reaches nothing else of the issuance service through a passed-through prefix', async () => {
    // (`/credentials/%2e%2e/graphql` is `/graphql` by the URL standard before any plugin sees it: the gateway's own endpoint.)
    const response = await fetch(`${base()}/credentials/..%2fgraphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ errors: [{ message: 'Not found.', extensions: { code: 'NOT_FOUND' } }] });
  });
});
