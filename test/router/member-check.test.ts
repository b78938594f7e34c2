import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { MikroORM } from '@mikro-orm/core';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { seedDemo } from '../../hub/seed.js';
import { ANONYMOUS } from '../../lib/auth.js';
import { createHttpClient } from '../../lib/http-client.js';
import { ensureHubSigner, localHubVerifier, type HubSigner } from '../../lib/hub-token.js';
import { quietLogger } from '../../lib/log.js';
import { REPO_ROOT } from '../../lib/paths.js';
import type { RunningServer } from '../../lib/server.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { startMemberServer } from '../../subgraphs/member/server.js';
import { checkMemberEndpoint } from '../../subgraphs/members/contract-check.js';
import { MEMBER_CONTRACT_PATH } from '../../subgraphs/members/schema.js';
import { temporaryDatabase } from '../helpers/databases.js';

const run = promisify(execFile);
const contract = readFileSync(MEMBER_CONTRACT_PATH, 'utf8');

/** Runs `npm run member:check -- <args>` (the script itself, as npm would) and returns its exit code and output. */
async function memberCheck(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'scripts', 'member-check.ts'), ...args], {
      env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let orm: MikroORM;
let member: RunningServer;
let drop: () => Promise<void>;
let drifted: { url: string; stop: () => Promise<void> };
let hubKeys: string;
let signer: HubSigner;
const asHub = () => signer.sign(ANONYMOUS, 'ua.pt').then((token) => `Bearer ${token}`);

beforeAll(async () => {
  const database = await temporaryDatabase('sqlite');
  drop = database.drop;
  orm = await openMemberDatabase(database.target);
  await seedDemo({ members: new Map([['ua.pt', { orm, profile: memberProfile('ua.pt') as never }]]) }, { learners: 20 });
  hubKeys = mkdtempSync(join(tmpdir(), 'hub-keys-'));
  signer = await ensureHubSigner(hubKeys);
  member = await startMemberServer({ memberId: 'ua.pt', orm, databaseKind: 'sqlite', logger: quietLogger(), hubAuth: localHubVerifier(signer.jwks) });

  // A member that drifted from the contract: a field gone, a key changed, a major version ahead.
  const driftedSdl = contract
    .replace(/\n\s*"""Notional workload in ECTS credits \(Annex I element 7\)\."""\n\s*ects: Float!/, '')
    .replace('type Enrolment\n  @key(fields: "id")', 'type Enrolment\n  @key(fields: "status")');
  // The offering type lost its field (the curation input OfferingInput has one of its own).
  const count = (sdl: string) => sdl.match(/ects: Float!/g)?.length ?? 0;
  expect(count(driftedSdl)).toBe(count(contract) - 1);
  const server = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: parse(driftedSdl), resolvers: { Query: { memberContractVersion: () => '2.0.0' } } as never }),
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  drifted = { url, stop: () => server.stop() };
});
afterAll(async () => {
  await member?.stop();
  await drifted?.stop();
  await orm?.close();
  await drop?.();
});

describe('checking a member endpoint against the contract', () => {
  it('finds nothing wrong with a member running this codebase', async () => {
    const client = createHttpClient();
    const report = await checkMemberEndpoint(client, member.url, contract, { authorization: asHub });
    await client.close();
    expect(report).toMatchObject({ problems: [], memberId: 'ua.pt', version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
  });

  it('lists what a drifted member is missing or changed, and the version clash', async () => {
    const client = createHttpClient();
    const report = await checkMemberEndpoint(client, drifted.url, contract);
    await client.close();
    expect(report.problems).toEqual(
      expect.arrayContaining([
        'FIELD_REMOVED: LearningOpportunity.ects was removed.',
        expect.stringContaining('Entity key mismatch on Enrolment'),
        expect.stringContaining('Contract version 2.0.0 is not compatible'),
      ]),
    );
  });

  it('exits 0 from the command line for a compatible member', async () => {
    const result = await memberCheck(member.url, '--member', 'ua.pt', '--hub-keys', hubKeys);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Member: ua.pt');
    expect(result.stdout).toContain('✓ Compatible');
  });

  it('exits 1 and prints each problem for an incompatible member', async () => {
    const result = await memberCheck(drifted.url);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ FIELD_REMOVED: LearningOpportunity.ects was removed.');
    expect(result.stdout).toMatch(/Not compatible: \d+ problem/);
  });

  it('says the member refused a check that the hub did not sign', async () => {
    const result = await memberCheck(member.url);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('The endpoint refused the request (HTTP 401): pass --member and --hub-keys');
  });

  it('exits 1 with a plain message when nothing answers, and 2 on a usage error', async () => {
    const unreachable = await memberCheck('http://127.0.0.1:9/graphql', '--timeout', '1000');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toContain('The endpoint could not be reached.');
    const usage = await memberCheck('not-a-url');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('"not-a-url" is not an http(s) URL.');
  });
});
