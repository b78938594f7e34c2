import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { freePort } from '../../lib/server.js';
import { TrustedIssuer } from '../../subgraphs/issuance/records.js';
import { memberIssuerId } from '../../subgraphs/issuance/register.js';
import { readRegistryFile } from '../../subgraphs/members/registry.js';
import { startTestHub, type GraphQLBody, type TestHub } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';

/*
 * The embedded default (npm start) follows its registry file while it runs:
 * a member removed from MEMBER_REGISTRY is no longer routed to, named in
 * recognition's pathways, nor trusted for new credentials; added back, it is
 * all three again - no restart (issue 14, point 4). The router alone is
 * tested in registry-reload.test.ts, with SIGHUP to a real process.
 */

const MEMBERS = ['tuni.fi', 'dcu.ie', 'utwente.nl'];
const LEAVING = 'dcu.ie';
const WAIT_MS = 5_000;

let hub: TestHub;
let path: string;
let ports: Map<string, number>;
const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);

/** Writes the registry next to the file and renames it into place, as the docs tell the alliance to. */
function writeRegistry(ids: readonly string[]): void {
  const next = `${path}.next`;
  writeFileSync(next, JSON.stringify({ members: ids.map((id) => ({ id, name: memberProfile(id)?.name, endpoint: `http://127.0.0.1:${ports.get(id)}/graphql` })) }, null, 2));
  renameSync(next, path);
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const institutions = async () => ((await hub.query(`{ institutions { id } }`)).body.data?.['institutions'] as { id: string }[]).map((item) => item.id).sort();
const trustedUntil = async (memberId: string) => (await hub.hub.issuanceService.orm.em.fork().findOneOrFail(TrustedIssuer, { id: memberIssuerId(memberId) })).validUntil ?? null;
const ownedPathway = async (memberId: string) =>
  hub.query(
    `mutation ($input: PathwayInput!) { createPathway(input: $input) { id } }`,
    { input: { name: `A certificate of ${memberId}`, ectsMin: 5, minMembers: 1, requirements: [], ownerMemberId: memberId } },
    await bearer(hub.hub, { role: 'alliance-admin', subject: 'admin@eciu.eu' }),
  );

beforeAll(async () => {
  path = join(mkdtempSync(join(tmpdir(), 'hub-registry-file-')), 'members.json');
  ports = new Map(await Promise.all(MEMBERS.map(async (id) => [id, await freePort('127.0.0.1')] as const)));
  writeRegistry(MEMBERS);
  hub = await startTestHub({ learners: 20, registry: readRegistryFile(path), registryFile: path });
});
afterAll(async () => {
  await hub?.stop();
});

describe('the embedded hub and its registry file', () => {
  it('stops routing to, naming and trusting a member removed from the file, without a restart', async () => {
    expect(await institutions()).toEqual([...MEMBERS].sort());
    expect(await trustedUntil(LEAVING)).toBeNull();
    writeRegistry(MEMBERS.filter((id) => id !== LEAVING));
    expect(await until(institutions, (ids) => !ids.includes(LEAVING))).toEqual(MEMBERS.filter((id) => id !== LEAVING).sort());
    expect(hub.hub.registry.get(LEAVING)).toBeUndefined();
    expect(codes((await ownedPathway(LEAVING)).body)).toEqual(['UNKNOWN_MEMBER']);
    // Its register entry is closed: what was issued before verifies, nothing dated later would.
    const closed = await until(() => trustedUntil(LEAVING), (at) => at !== null);
    expect(closed).toBeInstanceOf(Date);
    expect((closed as Date).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('routes to, names and trusts it again when it is added back', async () => {
    writeRegistry(MEMBERS);
    expect(await until(institutions, (ids) => ids.includes(LEAVING))).toEqual([...MEMBERS].sort());
    const answer = await ownedPathway(LEAVING);
    expect(answer.body.errors).toBeUndefined();
    expect(await until(() => trustedUntil(LEAVING), (at) => at === null)).toBeNull();
  });

  it('keeps its members when the file is not a valid registry, and says so when asked to re-read it', async () => {
    writeFileSync(path, '{ "members": [ { "id": "not a member id" } ] }');
    const reload = await hub.hub.reloadRegistry('SIGHUP');
    expect(reload.status).toBe('invalid');
    expect(await institutions()).toEqual([...MEMBERS].sort());
  });
});
