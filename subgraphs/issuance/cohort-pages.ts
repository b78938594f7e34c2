import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import type { SignedIn } from '../../lib/access.js';
import { postGraphQL } from '../../lib/http-client.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { decideIssuance } from './accreditation.js';
import type { CohortProblem } from './cohort-store.js';
import type { CredentialKind } from './facts.js';
import { storeCredentials, type IssuanceDependencies, type PreparedIssue } from './issue.js';
import { IssuedCredential } from './records.js';
import { FactsUnavailable, readAchievementFacts } from './sources.js';

/*
 * One page of a cohort job (cohort.ts): read from the member, checked against
 * what is issued already, then stored. Pages are idempotent: an achievement
 * whose credential exists is counted as already issued, so a job resumed from
 * an older cursor (its replica died between storing a page and recording it)
 * issues nothing twice.
 */

const COHORT_QUERY = /* GraphQL */ `
  query IssuanceCohort($offering: [_Any!]!, $first: Int!, $after: String) {
    offering: _entities(representations: $offering) {
      ... on LearningOpportunity { cohort(passed: true, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }
    }
  }
`;

export interface CohortPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: { id: string }[];
}

/** A page read and checked: what to issue, what was there already, what cannot be issued and why. */
export interface PreparedPage {
  page: CohortPage;
  prepared: PreparedIssue[];
  alreadyIssued: number;
  /** Every refusal of the page (the job keeps the first MAX_PROBLEMS reasons, and counts them all). */
  refused: CohortProblem[];
}

export interface PageContext {
  newEm: () => SqlEntityManager;
  dependencies: IssuanceDependencies;
  caller: SignedIn;
  offeringId: string;
  kind: CredentialKind;
  pageSize: number;
}

async function readPage(context: PageContext, after: string | null): Promise<CohortPage> {
  const sources = context.dependencies.sources;
  const body = await postGraphQL(
    sources.client,
    sources.membersUrl,
    { query: COHORT_QUERY, variables: { offering: [{ __typename: 'LearningOpportunity', id: context.offeringId }], first: context.pageSize, after } },
    { timeoutMs: sources.timeoutMs, headers: { authorization: `Bearer ${await sources.signer.sign(context.caller, 'members')}` } },
  );
  const page = (body.data?.['offering'] as ({ cohort: CohortPage | null } | null)[] | undefined)?.[0]?.cohort;
  if (!page) {
    const reason = body.errors?.[0]?.message ?? `no offering "${context.offeringId}" exists`;
    throw new GraphQLError(`The cohort could not be read: ${reason}`, { extensions: { code: 'NOT_FOUND' } });
  }
  return page;
}

/** Reads the page after `after` and the facts of its achievements not yet issued; decides what may be issued. */
export async function preparePage(context: PageContext, after: string | null): Promise<PreparedPage> {
  const page = await readPage(context, after);
  const ids = page.nodes.map((node) => node.id);
  const existing = new Set(
    (await context.newEm().find(IssuedCredential, { achievementId: { $in: ids }, kind: context.kind }, { fields: ['achievementId'] })).map((row) => row.achievementId),
  );
  const missing = ids.filter((id) => !existing.has(id));
  const facts = await readAchievementFacts(context.dependencies.sources, context.caller, missing);
  const prepared: PreparedIssue[] = [];
  const refused: CohortProblem[] = [];
  for (const id of missing) {
    const found = facts.get(id);
    if (!found || found instanceof FactsUnavailable) {
      refused.push({ achievementId: id, reason: found?.error.message ?? 'it could not be read' });
      continue;
    }
    const decision = decideIssuance(found, context.kind);
    if (!decision.allowed) {
      refused.push({ achievementId: id, reason: decision.reason });
      continue;
    }
    prepared.push({ facts: found, request: { achievementId: id, kind: context.kind }, basis: decision.basis, idempotency: null });
  }
  return { page, prepared, alreadyIssued: existing.size, refused };
}

/**
 * Stores a page in one transaction; if someone issued one of its achievements
 * meanwhile (a wallet, another replica still finishing the page), one
 * transaction each instead. `guard` runs before every write: a replica that
 * must stop writes nothing more.
 */
export async function storePage(context: PageContext, prepared: readonly PreparedIssue[], guard: () => void): Promise<{ issued: number; alreadyIssued: number }> {
  const counts = { issued: 0, alreadyIssued: 0 };
  guard();
  try {
    counts.issued += (await storeCredentials(context.newEm(), context.dependencies, prepared, context.caller.subject)).length;
    return counts;
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
  }
  for (const item of prepared) {
    guard();
    try {
      counts.issued += (await storeCredentials(context.newEm(), context.dependencies, [item], context.caller.subject)).length;
    } catch (single) {
      // Already issued only if the credential is really there; any other clash is a failure.
      const there = single instanceof UniqueConstraintViolationException && (await context.newEm().count(IssuedCredential, { achievementId: item.request.achievementId, kind: item.request.kind })) > 0;
      if (!there) throw single;
      counts.alreadyIssued += 1;
    }
  }
  return counts;
}
