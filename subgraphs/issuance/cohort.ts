import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import type { Principal } from '../../lib/auth.js';
import { requireGlobalId } from '../../lib/ids.js';
import type { Logger } from '../../lib/log.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { preparePage, storePage, type PageContext, type PreparedPage } from './cohort-pages.js';
import { addProblems, callerOf, CohortJobRecord, jobOf, runningKey, type CohortJob, type CohortProblem, type JobStatus } from './cohort-store.js';
import type { CredentialKind } from './facts.js';
import { checkAchievementKind, type IssuanceDependencies } from './issue.js';

export type { CohortJob, JobStatus } from './cohort-store.js';

/*
 * Bulk issuance for a cohort: every passed achievement of one offering. A job
 * runs in the background and reports its progress; each page of the cohort
 * (up to COHORT_PAGE achievements) is read from the member in one call and
 * stored in one transaction, so a crash leaves every achievement issued once
 * or not at all, and running the job again issues only what is missing. The
 * next page is read while the current one is sealed and stored.
 *
 * Jobs live in the issuance database (cohort-store.ts), so every replica sees
 * them. The replica running a job holds a lease on it, renewed while it runs;
 * every write of the job's progress is conditional on still holding it. When
 * the lease runs out (the replica died), any replica takes the job over - its
 * sweep, or `issueCohort` for the same cohort - and carries on from the last
 * recorded page's cursor.
 */

// The largest page a member serves (lib/pagination.ts).
export const COHORT_PAGE = 100;
/** Jobs running at once over one issuance database (all replicas); more would only compete for the same database. */
export const MAX_RUNNING_JOBS = 4;
/** Jobs one member may run at once, so that no member can hold every slot. */
export const MAX_RUNNING_JOBS_PER_MEMBER = 2;
/** Finished jobs are kept this long for their requesters to read. */
const KEEP_FINISHED_MS = 24 * 60 * 60 * 1000;

export interface CohortJobOptions {
  /** How long a replica's claim on a running job holds without being renewed (default 30 s). */
  leaseMs?: number;
  /** How often the running replica renews its claim (default 5 s: several renewals fit in a lease). */
  renewMs?: number;
  /** How often the sweep looks for running jobs whose replica stopped renewing (default 10 s). */
  sweepMs?: number;
  /**
   * Called after a page's credentials are stored and before its progress is
   * recorded: the worst moment for a replica to die, which tests reproduce by
   * never returning from it.
   */
  afterPageStored?: (jobId: string) => Promise<void> | void;
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

/** The job as this replica last recorded it, plus where to go on from. */
interface Runner {
  job: CohortJob;
  cursor: string | null;
  caller: SignedIn;
  /** Until when the lease holds, as of its last renewal by this replica (ms). */
  leaseUntil: number;
  lost: boolean;
  renewal: NodeJS.Timeout;
  done: Promise<void>;
}

/** The job stops on this replica without failing: the service stops, or another replica holds its lease now. */
class Interrupted extends Error {}

const noop = (): void => undefined;

export class CohortJobs {
  /** This process among the replicas: unique per start, so a restarted replica never mistakes an old lease for its own. */
  readonly replicaId = `${hostname().slice(0, 80)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly runners = new Map<string, Runner>();
  private readonly totals: CohortTotals = { started: 0, completed: 0, failed: 0, issued: 0, alreadyIssued: 0, refused: 0 };
  /** Cohorts being issued by any replica, as of the last look at the table (isRunning must answer without a query). */
  private knownRunning = new Set<string>();
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly sweepMs: number;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private stopping = false;
  private halted = false;

  constructor(
    private readonly newEm: () => SqlEntityManager,
    private readonly dependencies: IssuanceDependencies,
    private readonly logger: Logger,
    /** Achievements read and stored at once (at most what a member serves in one page). */
    private readonly pageSize = COHORT_PAGE,
    private readonly options: CohortJobOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.renewMs = options.renewMs ?? Math.min(5_000, Math.max(100, Math.floor(this.leaseMs / 3)));
    this.sweepMs = options.sweepMs ?? 10_000;
  }

  /** Starts issuing an offering's cohort on behalf of its member's staff; returns once the job is recorded. */
  async start(principal: Principal, offeringId: string, kind: CredentialKind): Promise<CohortJob> {
    const caller = requireSignedIn(principal, 'bulk issuance');
    const parsed = requireGlobalId(offeringId, 'offeringId');
    checkAchievementKind(kind);
    if (!(hasRole(caller, 'member-staff') && caller.memberId === parsed.memberId)) {
      throw forbidden(`Only staff of ${parsed.memberId} may issue the credentials of its offering's cohort.`);
    }
    if (this.stopping || this.halted) throw new GraphQLError('This issuance replica is shutting down; try again.', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
    const key = runningKey(offeringId, kind);
    // Twice at most: a clash on the running key means another request started this cohort just now.
    for (let round = 0; round < 2; round += 1) {
      const same = await this.newEm().findOne(CohortJobRecord, { runningKey: key });
      // The same cohort twice at once would only race for the same achievements: the running job is the answer.
      if (same) return this.resumeIfStale(same);
      await this.checkLimits(parsed.memberId, 0);
      const now = new Date();
      const row = Object.assign(new CohortJobRecord(), {
        id: randomUUID(),
        offeringId,
        memberId: parsed.memberId,
        kind,
        status: 'RUNNING' as const,
        total: null,
        issued: 0,
        alreadyIssued: 0,
        refused: 0,
        problems: '[]',
        requestedBy: caller.subject,
        startedAt: now,
        finishedAt: null,
        failure: null,
        cursor: null,
        leaseOwner: this.replicaId,
        leaseExpiresAt: new Date(now.getTime() + this.leaseMs),
        runningKey: key,
        attempts: 1,
        resumedAt: null,
      });
      try {
        await this.newEm().insert(CohortJobRecord, row);
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) continue;
        throw error;
      }
      // Checked again with the job counted: two replicas starting jobs at the same moment both saw room
      // before inserting; counting after inserting, at least one of them sees the other and withdraws.
      try {
        await this.checkLimits(parsed.memberId, 1);
      } catch (refusal) {
        await this.newEm().nativeDelete(CohortJobRecord, { id: row.id });
        throw refusal;
      }
      this.totals.started += 1;
      this.knownRunning.add(key);
      this.launch(row);
      return jobOf(row);
    }
    throw new GraphQLError('This cohort was being started by another request; ask again to see its job.', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
  }

  /** Jobs running on this replica, achievements they still have to go through (where known), and this process's totals. */
  progress(): { running: number; remaining: number; totals: Readonly<CohortTotals> } {
    const running = [...this.runners.values()].map((runner) => runner.job);
    const remaining = running.reduce((sum, job) => sum + (job.total === null ? 0 : Math.max(0, job.total - job.issued - job.alreadyIssued - job.refused)), 0);
    return { running: running.length, remaining, totals: this.totals };
  }

  /**
   * Whether a job is issuing this offering's cohort now (a wallet offer for
   * one of its achievements is then deferred). Jobs of other replicas are
   * known as of the last sweep; an offer that misses one issues the
   * credential itself, and the job then counts it as already issued.
   */
  isRunning(offeringId: string, kind: CredentialKind): boolean {
    const key = runningKey(offeringId, kind);
    return this.knownRunning.has(key) || [...this.runners.values()].some((runner) => runningKey(runner.job.offeringId, runner.job.kind) === key);
  }

  /** A job, for its requester, its member's staff and alliance administrators; from whichever replica runs it. */
  async get(principal: Principal, id: string): Promise<CohortJob | null> {
    const caller = requireSignedIn(principal, 'bulk issuance');
    const row = await this.newEm().findOne(CohortJobRecord, { id });
    if (row && (caller.subject === row.requestedBy || hasRole(caller, 'alliance-admin') || (hasRole(caller, 'member-staff') && caller.memberId === row.memberId))) return jobOf(row);
    // Administrators see every job, so "no such job" tells them nothing; anyone else gets the same refusal for a job that is not there.
    if (!row && hasRole(caller, 'alliance-admin')) return null;
    throw forbidden('No bulk issuance job you may see has this id.');
  }

  /** Looks for abandoned jobs now and then every `sweepMs`, until `stop()`. */
  startSweep(): void {
    if (this.sweepTimer || this.stopping || this.halted) return;
    const tick = () => {
      if (this.sweeping || this.stopping || this.halted) return;
      this.sweeping = this.sweep()
        .catch((error: unknown) => this.logger.warn('cohort job sweep failed', { error: error as Error }))
        .finally(() => {
          this.sweeping = null;
        });
    };
    tick();
    // Unref'd: a sweep due must not keep a process alive that has nothing else to do.
    this.sweepTimer = setInterval(tick, this.sweepMs);
    this.sweepTimer.unref();
  }

  /**
   * Takes over running jobs whose lease has run out, refreshes what isRunning
   * knows, and forgets jobs finished more than a day ago. Any replica may do
   * it; the claim is one conditional UPDATE, so only one of them wins a job.
   */
  async sweep(): Promise<void> {
    const running = await this.newEm().find(CohortJobRecord, { status: 'RUNNING' });
    this.knownRunning = new Set(running.flatMap((row) => (row.runningKey ? [row.runningKey] : [])));
    for (const row of running) {
      if (this.stopping || this.halted) return;
      if (!this.isStale(row) || this.runners.has(row.id)) continue;
      const claimed = await this.claim(row);
      if (claimed) this.launch(claimed);
    }
    await this.newEm().nativeDelete(CohortJobRecord, { finishedAt: { $lt: new Date(Date.now() - KEEP_FINISHED_MS) } });
  }

  /**
   * Graceful shutdown: no more sweeps; each job records the page it is on and
   * gives its lease up, so another replica resumes it at its next sweep
   * instead of waiting for the lease to run out.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await this.sweeping;
    await Promise.all([...this.runners.values()].map((runner) => runner.done));
  }

  /**
   * Stops at once and writes nothing more, not even to give leases up: what
   * kill -9 leaves behind (the jobs wait for their leases to run out). For
   * tests of that case and for a process that must stop immediately.
   */
  halt(): void {
    this.halted = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    for (const runner of this.runners.values()) clearInterval(runner.renewal);
  }

  private isStale(row: CohortJobRecord): boolean {
    return row.status === 'RUNNING' && (!row.leaseExpiresAt || row.leaseExpiresAt.getTime() < Date.now());
  }

  private async checkLimits(memberId: string, counted: number): Promise<void> {
    const em = this.newEm();
    const [all, member] = await Promise.all([em.count(CohortJobRecord, { status: 'RUNNING' }), em.count(CohortJobRecord, { status: 'RUNNING', memberId })]);
    if (member - counted >= MAX_RUNNING_JOBS_PER_MEMBER) {
      throw new GraphQLError(`${memberId} has ${MAX_RUNNING_JOBS_PER_MEMBER} cohorts being issued already; try again when one has finished.`, {
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
    }
    if (all - counted >= MAX_RUNNING_JOBS) {
      throw new GraphQLError(`${MAX_RUNNING_JOBS} cohorts are being issued already; try again when one has finished.`, { extensions: { code: 'SERVICE_UNAVAILABLE' } });
    }
  }

  /** The running job of a cohort asked for again: taken over here if its replica stopped renewing it. */
  private async resumeIfStale(row: CohortJobRecord): Promise<CohortJob> {
    if (!this.isStale(row) || this.runners.has(row.id) || this.stopping || this.halted) return jobOf(row);
    const claimed = await this.claim(row);
    if (!claimed) return jobOf((await this.newEm().findOne(CohortJobRecord, { id: row.id })) ?? row);
    this.launch(claimed);
    return jobOf(claimed);
  }

  /**
   * Takes a job whose lease ran out. Conditional on the lease still being out
   * and on the attempt number read, so of replicas claiming at once exactly
   * one changes the row (PostgreSQL re-checks the condition on the row a
   * concurrent UPDATE left; SQLite runs one writer at a time).
   */
  private async claim(row: CohortJobRecord): Promise<CohortJobRecord | null> {
    const now = Date.now();
    const changed = await this.newEm().nativeUpdate(
      CohortJobRecord,
      { id: row.id, status: 'RUNNING', attempts: row.attempts, $or: [{ leaseExpiresAt: null }, { leaseExpiresAt: { $lt: new Date(now) } }] },
      { leaseOwner: this.replicaId, leaseExpiresAt: new Date(now + this.leaseMs), attempts: row.attempts + 1, resumedAt: new Date(now) },
    );
    if (changed !== 1) return null;
    const claimed = await this.newEm().findOne(CohortJobRecord, { id: row.id });
    if (claimed) this.logger.info('cohort job taken over', { job: claimed.id, offering: claimed.offeringId, attempt: claimed.attempts, after: claimed.cursor ? 'a recorded page' : 'the start' });
    return claimed;
  }

  /** Runs a job this replica holds the lease of, renewing the lease until the job ends here. */
  private launch(row: CohortJobRecord): void {
    const runner: Runner = {
      job: jobOf(row),
      cursor: row.cursor ?? null,
      caller: callerOf(row),
      leaseUntil: row.leaseExpiresAt?.getTime() ?? Date.now() + this.leaseMs,
      lost: false,
      renewal: setInterval(() => void this.renew(runner), this.renewMs),
      done: Promise.resolve(),
    };
    runner.renewal.unref();
    this.runners.set(row.id, runner);
    runner.done = this.run(runner)
      .catch((error: unknown) => this.ended(runner, error))
      .catch((error: unknown) => this.logger.error('cohort job could not record how it ended', { job: runner.job.id, error: error as Error }))
      .finally(() => {
        clearInterval(runner.renewal);
        this.runners.delete(runner.job.id);
      });
  }

  private async renew(runner: Runner): Promise<void> {
    if (this.halted || runner.lost) return;
    const until = Date.now() + this.leaseMs;
    try {
      const changed = await this.newEm().nativeUpdate(CohortJobRecord, { id: runner.job.id, leaseOwner: this.replicaId, status: 'RUNNING' }, { leaseExpiresAt: new Date(until) });
      if (changed === 1) runner.leaseUntil = until;
      else runner.lost = true;
    } catch (error) {
      // Tried again at the next renewal; if the lease runs out meanwhile the job stops here (see interrupted).
      this.logger.warn('cohort job lease not renewed', { job: runner.job.id, error: error as Error });
    }
  }

  /** Why this replica must not go on with the job, if it must not. */
  private interrupted(runner: Runner): string | null {
    if (this.halted) return 'halted';
    if (runner.lost || Date.now() >= runner.leaseUntil) return 'its lease is held by another replica, or ran out';
    if (this.stopping) return 'the service is stopping';
    return null;
  }

  /** Checked before every write of a page: stopping gracefully still finishes the page in hand; a halted replica or a lost lease writes nothing more. */
  private guard(runner: Runner): () => void {
    return () => {
      if (this.halted) throw new Interrupted('halted');
      if (runner.lost || Date.now() >= runner.leaseUntil) throw new Interrupted('its lease is held by another replica, or ran out');
    };
  }

  /**
   * Pages in order, two in flight: while one page is sealed and stored, the
   * next is read from its member (pages are disjoint, so neither can issue
   * what the other does). Each page's progress is recorded after it and the
   * page before it are stored. The first failure stops the job; what was
   * stored stays stored.
   */
  private async run(runner: Runner): Promise<void> {
    const context: PageContext = { newEm: this.newEm, dependencies: this.dependencies, caller: runner.caller, offeringId: runner.job.offeringId, kind: runner.job.kind, pageSize: this.pageSize };
    let after = runner.cursor;
    let storing: Promise<void> = Promise.resolve();
    for (;;) {
      const reason = this.interrupted(runner);
      if (reason) {
        await storing.catch(noop);
        throw new Interrupted(reason);
      }
      let next: PreparedPage;
      try {
        next = await preparePage(context, after);
      } catch (error) {
        // The page being stored finishes (and is recorded) before the job reports the failure.
        await storing.catch(noop);
        throw error;
      }
      const previous = storing;
      storing = this.storeAndRecord(runner, context, next, previous);
      // Handled where it is awaited; without this a failure while the next page is read would be "unhandled".
      storing.catch(noop);
      try {
        await previous;
      } catch (error) {
        // The job is not reported failed (nor may it be started again) while a page is still being stored.
        await storing.catch(noop);
        throw error;
      }
      if (!next.page.pageInfo.hasNextPage || !next.page.pageInfo.endCursor) break;
      after = next.page.pageInfo.endCursor;
    }
    await storing;
    await this.finish(runner, 'COMPLETED', null);
  }

  private async storeAndRecord(runner: Runner, context: PageContext, next: PreparedPage, previous: Promise<void>): Promise<void> {
    const stored = await storePage(context, next.prepared, this.guard(runner));
    // Recorded in page order: a cursor never passes a page whose credentials are not all stored.
    await previous;
    await this.options.afterPageStored?.(runner.job.id);
    this.guard(runner)();
    await this.record(runner, next, stored);
  }

  /**
   * Adds a stored page to the job's counts and moves its cursor past it, in
   * one UPDATE conditional on the lease. A replica dying between storing and
   * recording leaves counts below the credentials stored; the replica that
   * resumes reads the page again and counts them as already issued, so the
   * counts never exceed what the credentials table holds.
   */
  private async record(runner: Runner, next: PreparedPage, stored: { issued: number; alreadyIssued: number }): Promise<void> {
    const job = runner.job;
    const problems: CohortProblem[] = addProblems(job.problems, next.refused);
    const counts = { total: next.page.totalCount, issued: job.issued + stored.issued, alreadyIssued: job.alreadyIssued + next.alreadyIssued + stored.alreadyIssued, refused: job.refused + next.refused.length };
    const cursor = next.page.pageInfo.endCursor ?? runner.cursor;
    const until = Date.now() + this.leaseMs;
    const changed = await this.newEm().nativeUpdate(
      CohortJobRecord,
      { id: job.id, leaseOwner: this.replicaId, status: 'RUNNING' },
      { ...counts, problems: JSON.stringify(problems), cursor, leaseExpiresAt: new Date(until) },
    );
    if (changed !== 1) {
      runner.lost = true;
      throw new Interrupted('its lease is held by another replica');
    }
    runner.leaseUntil = until;
    runner.cursor = cursor;
    this.totals.issued += stored.issued;
    this.totals.alreadyIssued += next.alreadyIssued + stored.alreadyIssued;
    this.totals.refused += next.refused.length;
    Object.assign(job, counts, { problems });
  }

  private async finish(runner: Runner, status: JobStatus, failure: string | null): Promise<void> {
    const finishedAt = new Date();
    const changed = await this.newEm().nativeUpdate(
      CohortJobRecord,
      { id: runner.job.id, leaseOwner: this.replicaId, status: 'RUNNING' },
      { status, failure, finishedAt, runningKey: null, leaseOwner: null, leaseExpiresAt: null },
    );
    if (changed !== 1) {
      runner.lost = true;
      throw new Interrupted('its lease is held by another replica');
    }
    Object.assign(runner.job, { status, failure, finishedAt });
    this.knownRunning.delete(runningKey(runner.job.offeringId, runner.job.kind));
    if (status === 'COMPLETED') this.totals.completed += 1;
    else this.totals.failed += 1;
  }

  /** A run that ended without completing: failed, or interrupted (then left for another replica). */
  private async ended(runner: Runner, error: unknown): Promise<void> {
    if (this.halted) return;
    if (error instanceof Interrupted) {
      if (runner.lost) {
        this.logger.warn('cohort job left to the replica holding its lease', { job: runner.job.id });
        return;
      }
      // Given up so that another replica resumes it at once (a null lease is a stale one).
      await this.newEm().nativeUpdate(CohortJobRecord, { id: runner.job.id, leaseOwner: this.replicaId, status: 'RUNNING' }, { leaseOwner: null, leaseExpiresAt: null });
      this.logger.info('cohort job handed back', { job: runner.job.id, reason: error.message });
      return;
    }
    const failure = error instanceof GraphQLError ? error.message.slice(0, 500) : 'an unexpected error stopped it; what was issued stays issued, and running it again issues the rest';
    if (!(error instanceof GraphQLError)) this.logger.error('cohort issuance failed', { job: runner.job.id, error: error as Error });
    await this.finish(runner, 'FAILED', failure);
  }
}
