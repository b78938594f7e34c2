import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberProfile } from '../../hub/alliance.js';
import { generateCatalogues } from '../../hub/demo.js';
import { startHub, type RunningHub } from '../../hub/stack.js';
import { quietLogger } from '../../lib/log.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { openMemberDatabase } from '../../subgraphs/member/database.js';
import { parseRegistry } from '../../subgraphs/members/registry.js';
import type { GraphQLBody } from '../helpers/hub.js';
import { bearer } from '../helpers/tokens.js';

/*
 * The member router with three members, one of which can be made slow: how
 * client queries are forwarded (aliases, fragments, variables, directives)
 * and what a slow or broken member costs.
 */

const MEMBERS = ['tuni.fi', 'dcu.ie', 'utwente.nl'];
const DEADLINE_MS = 400;
const catalogues = generateCatalogues();

let hub: RunningHub;
let dataDir: string;
const slow = new Set<string>();
const received: { member: string; query: string }[] = [];

async function query(text: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<GraphQLBody> {
  const response = await fetch(hub.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: text, variables }) });
  return (await response.json()) as GraphQLBody;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'hub-router-'));
  const registry = parseRegistry({
    members: MEMBERS.map((id) => ({ id, name: memberProfile(id)?.name, endpoint: 'http://127.0.0.1:0/graphql', timeoutMs: DEADLINE_MS })),
  });
  hub = await startHub({
    logger: quietLogger(),
    dataDir,
    learners: 40,
    registry,
    memberPlugins: (member) => [
      {
        async requestDidStart({ request }) {
          received.push({ member, query: request.query ?? '' });
          if (slow.has(member)) await new Promise((resolve) => setTimeout(resolve, DEADLINE_MS * 4));
        },
      },
    ],
  });
});
afterAll(async () => {
  await hub?.stop();
});

describe('forwarding a client query to members', () => {
  it('keeps aliases, named and inline fragments, variables and directives', async () => {
    const body = await query(
      /* GraphQL */ `
        query Catalogue($withOutcomes: Boolean!, $kinds: [OpportunityKind!]) {
          first: offerings(first: 3, filter: { kinds: $kinds }) {
            total: totalCount
            items: nodes { ...Card ... on LearningOpportunity { heading: title } }
          }
          second: offerings(first: 2, orderBy: START_DATE) { nodes { id starts: startDate } }
        }
        fragment Card on LearningOpportunity {
          key: id
          kind
          learningOutcomes @include(if: $withOutcomes) { position }
          provider: institution { code: id }
        }
      `,
      { withOutcomes: false, kinds: ['MICRO_MODULE'] },
    );
    expect(body.errors).toBeUndefined();
    const first = body.data?.['first'];
    const expectedTotal = MEMBERS.flatMap((member) => catalogues.get(member) ?? []).filter((offering) => offering.kind === 'MICRO_MODULE').length;
    expect(first.total).toBe(expectedTotal);
    expect(first.items).toHaveLength(3);
    for (const item of first.items) {
      expect(Object.keys(item).sort()).toEqual(['heading', 'key', 'kind', 'provider']);
      expect(item.kind).toBe('MICRO_MODULE');
      expect(item.key.startsWith(`${item.provider.code}:`)).toBe(true);
    }
    const dates = body.data?.['second'].nodes.map((node: { starts: string }) => node.starts);
    expect(dates).toEqual([...dates].sort());
  });

  it('sends each learner account to the member that holds it', async () => {
    // A learner with accounts at several of the registry's members, and one outside it.
    const admin = await bearer(hub, { role: 'alliance-admin' });
    const learners = await query(`{ learners(first: 40) { nodes { id memberAccountIds } } }`, {}, admin);
    const inRegistry = (id: string) => MEMBERS.includes(id.slice(0, id.indexOf(':')));
    const chosen = (learners.data?.['learners'].nodes as { id: string; memberAccountIds: string[] }[]).find(
      (node) => node.memberAccountIds.filter(inRegistry).length >= 2 && node.memberAccountIds.some((id) => !inRegistry(id)),
    ) as { id: string; memberAccountIds: string[] };
    expect(chosen).toBeDefined();
    const accounts = chosen.memberAccountIds.filter(inRegistry);
    received.splice(0);
    const body = await query(
      `query ($id: ID!) { learner(id: $id) { memberAccounts { id institution { id } } } }`,
      { id: chosen.id },
      await bearer(hub, { role: 'learner', learnerId: chosen.id }),
    );
    const resolved = (body.data?.['learner'].memberAccounts as ({ id: string; institution: { id: string } | null } | null)[]).filter(
      (item) => item && inRegistry(item.id),
    );
    expect(resolved.map((account) => account?.id).sort()).toEqual([...accounts].sort());
    for (const account of resolved) expect(account?.institution?.id).toBe(account?.id.slice(0, account.id.indexOf(':')));
    const callsPerMember = new Map<string, number>();
    for (const call of received) callsPerMember.set(call.member, (callsPerMember.get(call.member) ?? 0) + 1);
    expect(new Set(callsPerMember.keys())).toEqual(new Set(accounts.map((id) => id.slice(0, id.indexOf(':')))));
    expect([...callsPerMember.values()].every((count) => count === 1)).toBe(true);
    // Accounts at members outside this registry cannot be resolved, and the error says which member is unknown.
    expect(body.errors?.length).toBeGreaterThan(0);
    expect(body.errors?.every((error) => error.extensions?.['code'] === 'UNKNOWN_MEMBER')).toBe(true);
  });
});

describe('a slow member', () => {
  it('costs only its own offerings, after its deadline, with an error naming it', async () => {
    slow.add('dcu.ie');
    try {
      const started = performance.now();
      const body = await query(`{ offerings(first: 100) { totalCount nodes { id } } }`);
      const elapsed = performance.now() - started;
      const ids = body.data?.['offerings'].nodes.map((node: { id: string }) => node.id) as string[];
      expect(ids.some((id) => id.startsWith('dcu.ie:'))).toBe(false);
      expect(ids.some((id) => id.startsWith('tuni.fi:'))).toBe(true);
      expect(body.data?.['offerings'].totalCount).toBe((catalogues.get('tuni.fi')?.length ?? 0) + (catalogues.get('utwente.nl')?.length ?? 0));
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: `Member "dcu.ie" (Dublin City University) did not answer within ${DEADLINE_MS} ms; its data is missing from this response.`,
          extensions: expect.objectContaining({ code: 'MEMBER_UNAVAILABLE', member: 'dcu.ie' }),
        }),
      ]);
      // The slow member holds the request for four deadlines; the answer must not wait for it.
      expect(elapsed).toBeLessThan(DEADLINE_MS * 4);
    } finally {
      slow.delete('dcu.ie');
    }
  });
});

describe('a member with broken data', () => {
  it('reports an error naming the member, without its details', async () => {
    const offering = (catalogues.get('utwente.nl') ?? [])[0]?.id as string;
    // The member's profile row is gone: every offering's `institution` now fails inside the member.
    const orm = await openMemberDatabase({ kind: 'sqlite', location: join(dataDir, 'members', 'utwente.nl.sqlite') });
    await (orm.em.fork() as SqlEntityManager).getKnex()('institution').delete();
    await orm.close();
    const body = await query(`query ($id: ID!) { offering(id: $id) { id institution { name } } }`, { id: offering });
    expect(body.data?.['offering']).toBeNull();
    expect(body.errors?.[0]).toMatchObject({
      message: 'Member "utwente.nl" (University of Twente) failed to answer part of this request.',
      extensions: { code: 'MEMBER_ERROR', member: 'utwente.nl' },
    });
    expect(JSON.stringify(body)).not.toMatch(/Dangling|stack|\.ts:\d+|select /i);
  });
});
