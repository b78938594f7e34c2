import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import type { Principal } from '../../lib/auth.js';
import { postGraphQL } from '../../lib/http-client.js';
import { requireGlobalId } from '../../lib/ids.js';
import type { Logger } from '../../lib/log.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { decideIssuance } from './accreditation.js';
import type { CredentialKind } from './facts.js';
import { checkAchievementKind, storeCredentials, type IssuanceDependencies, type PreparedIssue } from './issue.js';
import { IssuedCredential } from './records.js';
import { FactsUnavailable, readAchievementFacts } from './sources.js';

/*
 * Bulk issuance for a cohort: every passed achievement of one offering. A job
 * runs in the background and reports its progress; each page of the cohort
 * (up to COHORT_PAGE achievements) is read from the member in one call and
 * stored in one transaction, so a crash leaves every achievement issued once
 * or not at all, and running the job again issues only what is missing. The
 * next page is read while the current one is sealed and stored.
 */

// The largest page a member serves (lib/pagination.ts).
export const COHORT_PAGE = 100;
/** Jobs running at once in this service; more would only compete for the same database. */
export const MAX_RUNNING_JOBS = 4;
/** Jobs one member may run at once, so that no member can hold every slot. */
export const MAX_RUNNING_JOBS_PER_MEMBER = 2;
/** Problems kept per job (the counts are always complete). */
const MAX_PROBLEMS = 100;
/** Finished jobs are kept this long for their requesters to read. */
const KEEP_FINISHED_MS = 24 * 60 * 60 * 1000;

export type JobStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';

export interface CohortJob {
  id: string;
  offeringId: string;
  memberId: string;
  kind: CredentialKind;
  status: JobStatus;
  /** Passed achievements in the cohort (known after the first page). */
  total: number | null;
  issued: number;
  alreadyIssued: number;
  refused: number;
  problems: { achievementId: string; reason: string }[];
  requestedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
  /** Why the job stopped, when it failed. */
  failure: string | null;
}

const COHORT_QUERY = /* GraphQL */ `
  query IssuanceCohort($offering: [_Any!]!, $first: Int!, $after: String) {
    offering: _entities(representations: $offering) {
      ... on LearningOpportunity { cohort(passed: true, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }
    }
  }
`;

interface CohortPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: { id: string }[];
}

/** What every job this service ran has done, since it started (for /metrics: counters never go down, jobs are swept). */
export interface CohortTotals {
  started: number;
  completed: number;
  failed: number;
  issued: number;
  alreadyIssued: number;
  refused: number;
}

export class CohortJobs {
  private readonly jobs = new Map<string, CohortJob>();
  private readonly totals: CohortTotals = { started: 0, completed: 0, failed: 0, issued: 0, alreadyIssued: 0, refused: 0 };

  constructor(
    private readonly newEm: () => SqlEntityManager,
    private readonly dependencies: IssuanceDependencies,
    private readonly logger: Logger,
    /** Achievements read and stored at once (at most what a member serves in one page). */
    private readonly pageSize = COHORT_PAGE,
  ) {}

  /** Starts issuing an offering's cohort on behalf of its member's staff; returns at once. */
  start(principal: Principal, offeringId: string, kind: CredentialKind): CohortJob {
    const caller = requireSignedIn(principal, 'bulk issuance');
    const parsed = requireGlobalId(offeringId, 'offeringId');
    checkAchievementKind(kind);
    if (!(hasRole(caller, 'member-staff') && caller.memberId === parsed.memberId)) {
      throw forbidden(`Only staff of ${parsed.memberId} may issue the credentials of its offering's cohort.`);
    }
    this.sweep();
    const running = [...this.jobs.values()].filter((job) => job.status === 'RUNNING');
    const same = running.find((job) => job.offeringId === offeringId && job.kind === kind);
    // The same cohort twice at once would only race for the same achievements: the running job is the answer.
    if (same) return same;
    if (running.filter((job) => job.memberId === parsed.memberId).length >= MAX_RUNNING_JOBS_PER_MEMBER) {
      throw new GraphQLError(`${parsed.memberId} has ${MAX_RUNNING_JOBS_PER_MEMBER} cohorts being issued already; try again when one has finished.`, {
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
    }
    if (running.length >= MAX_RUNNING_JOBS) {
      throw new GraphQLError(`${MAX_RUNNING_JOBS} cohorts are being issued already; try again when one has finished.`, { extensions: { code: 'SERVICE_UNAVAILABLE' } });
    }
    const job: CohortJob = {
      id: randomUUID(),
      offeringId,
      memberId: parsed.memberId,
      kind,
      status: 'RUNNING',
      total: null,
      issued: 0,
      alreadyIssued: 0,
      refused: 0,
      problems: [],
      requestedBy: caller.subject,
      startedAt: new Date(),
      finishedAt: null,
      failure: null,
    };
    this.jobs.set(job.id, job);
    this.totals.started += 1;
    void this.run(job, caller).catch((error: unknown) => {
      job.status = 'FAILED';
      this.totals.failed += 1;
      job.failure = error instanceof GraphQLError ? error.message : 'an unexpected error stopped it; what was issued stays issued, and running it again issues the rest';
      job.finishedAt = new Date();
      if (!(error instanceof GraphQLError)) this.logger.error('cohort issuance failed', { job: job.id, error: error as Error });
    });
    return job;
  }

  /** Jobs running now, achievements they still have to go through (where known), and the totals so far. */
  progress(): { running: number; remaining: number; totals: Readonly<CohortTotals> } {
    const running = [...this.jobs.values()].filter((job) => job.status === 'RUNNING');
    const remaining = running.reduce((sum, job) => sum + (job.total === null ? 0 : Math.max(0, job.total - job.issued - job.alreadyIssued - job.refused)), 0);
    return { running: running.length, remaining, totals: this.totals };
  }

  /** Whether a job is issuing this offering's cohort now (a wallet offer for one of its achievements is then deferred). */
  isRunning(offeringId: string, kind: CredentialKind): boolean {
    return [...this.jobs.values()].some((job) => job.status === 'RUNNING' && job.offeringId === offeringId && job.kind === kind);
  }

  /** A job, for its requester, its member's staff and alliance administrators. */
  get(principal: Principal, id: string): CohortJob | null {
    const caller = requireSignedIn(principal, 'bulk issuance');
    const job = this.jobs.get(id);
    if (job && (caller.subject === job.requestedBy || hasRole(caller, 'alliance-admin') || (hasRole(caller, 'member-staff') && caller.memberId === job.memberId))) return job;
    // Administrators see every job, so "no such job" tells them nothing; anyone else gets the same refusal for a job that is not there.
    if (!job && hasRole(caller, 'alliance-admin')) return null;
    throw forbidden('No bulk issuance job you may see has this id.');
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, job] of this.jobs) if (job.finishedAt && now - job.finishedAt.getTime() > KEEP_FINISHED_MS) this.jobs.delete(id);
  }

  private async readPage(caller: SignedIn, job: CohortJob, after: string | null): Promise<CohortPage> {
    const sources = this.dependencies.sources;
    const body = await postGraphQL(
      sources.client,
      sources.membersUrl,
      { query: COHORT_QUERY, variables: { offering: [{ __typename: 'LearningOpportunity', id: job.offeringId }], first: this.pageSize, after } },
      { timeoutMs: sources.timeoutMs, headers: { authorization: `Bearer ${await sources.signer.sign(caller, 'members')}` } },
    );
    const page = (body.data?.['offering'] as ({ cohort: CohortPage | null } | null)[] | undefined)?.[0]?.cohort;
    if (!page) {
      const reason = body.errors?.[0]?.message ?? `no offering "${job.offeringId}" exists`;
      throw new GraphQLError(`The cohort could not be read: ${reason}`, { extensions: { code: 'NOT_FOUND' } });
    }
    return page;
  }

  /**
   * One transaction for the page; if someone issued one of them meanwhile, one
   * transaction each instead. Counts are added after each await (two pages
   * are stored at once: `job.issued += await …` would read the count before
   * the other page added to it, and lose that).
   */
  private async store(job: CohortJob, caller: SignedIn, prepared: readonly PreparedIssue[]): Promise<void> {
    try {
      const stored = await storeCredentials(this.newEm(), this.dependencies, prepared, caller.subject);
      job.issued += stored.length;
      this.totals.issued += stored.length;
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      for (const item of prepared) {
        try {
          const stored = await storeCredentials(this.newEm(), this.dependencies, [item], caller.subject);
          job.issued += stored.length;
          this.totals.issued += stored.length;
        } catch (single) {
          // Already issued only if the credential is really there; any other clash is a failure.
          const there = single instanceof UniqueConstraintViolationException && (await this.newEm().count(IssuedCredential, { achievementId: item.request.achievementId, kind: item.request.kind })) > 0;
          if (!there) throw single;
          job.alreadyIssued += 1;
          this.totals.alreadyIssued += 1;
        }
      }
    }
  }

  private note(job: CohortJob, achievementId: string, reason: string): void {
    job.refused += 1;
    this.totals.refused += 1;
    if (job.problems.length < MAX_PROBLEMS) job.problems.push({ achievementId, reason });
  }

  /** Reads one page of the cohort and the facts of its achievements not yet issued; notes what cannot be issued. */
  private async prepare(job: CohortJob, caller: SignedIn, after: string | null): Promise<{ page: CohortPage; prepared: PreparedIssue[] }> {
    const page = await this.readPage(caller, job, after);
    job.total = page.totalCount;
    const ids = page.nodes.map((node) => node.id);
    const existing = new Set(
      (await this.newEm().find(IssuedCredential, { achievementId: { $in: ids }, kind: job.kind }, { fields: ['achievementId'] })).map((row) => row.achievementId),
    );
    job.alreadyIssued += existing.size;
    this.totals.alreadyIssued += existing.size;
    const missing = ids.filter((id) => !existing.has(id));
    const facts = await readAchievementFacts(this.dependencies.sources, caller, missing);
    const prepared: PreparedIssue[] = [];
    for (const id of missing) {
      const found = facts.get(id);
      if (!found || found instanceof FactsUnavailable) {
        this.note(job, id, found?.error.message ?? 'it could not be read');
        continue;
      }
      const decision = decideIssuance(found, job.kind);
      if (!decision.allowed) {
        this.note(job, id, decision.reason);
        continue;
      }
      prepared.push({ facts: found, request: { achievementId: id, kind: job.kind }, basis: decision.basis, idempotency: null });
    }
    return { page, prepared };
  }

  /**
   * Pages in order, two in flight: while one page is sealed and stored, the
   * next is read from its member (pages are disjoint, so neither can issue
   * what the other does). The first failure stops the job; what was stored
   * stays stored.
   */
  private async run(job: CohortJob, caller: SignedIn): Promise<void> {
    let after: string | null = null;
    let storing: Promise<void> = Promise.resolve();
    for (;;) {
      let next: Awaited<ReturnType<CohortJobs['prepare']>>;
      try {
        next = await this.prepare(job, caller, after);
      } catch (error) {
        // The page being stored finishes (and is counted) before the job reports the failure.
        await storing.catch(() => undefined);
        throw error;
      }
      const { page, prepared } = next;
      const previous = storing;
      storing = this.store(job, caller, prepared);
      // Handled where it is awaited; without this a failure while the next page is read would be "unhandled".
      storing.catch(() => undefined);
      try {
        await previous;
      } catch (error) {
        // The job is not reported failed (nor may it be started again) while a page is still being stored.
        await storing.catch(() => undefined);
        throw error;
      }
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
    await storing;
    job.status = 'COMPLETED';
    this.totals.completed += 1;
    job.finishedAt = new Date();
  }
}
