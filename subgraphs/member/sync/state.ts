import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { hostname } from 'node:os';
import type { SqlEntityManager } from '../../../lib/orm.js';
import { SyncLock, SyncRun } from '../model.js';

/*
 * The sync's bookkeeping: the counts a run keeps, the run lock, and which
 * run comes next (resume an unfinished one, or a fresh full or incremental
 * run). README.md explains the choices.
 */

export const SYNC_SOURCE = 'oeapi';
/** Who the sync is in audit rows and correction rows. */
export const SYNC_ACTOR = 'sync:oeapi';
/** The resources of a run, in the order they are read (every reference exists when it is written). */
export const RESOURCES = ['courses', 'persons', 'associations'] as const;
export type SyncResource = (typeof RESOURCES)[number];
export type SyncMode = 'full' | 'incremental';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped' | 'abandoned';

/** Another run holds the lock of this member's sync. */
export class SyncBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncBusyError';
  }
}

/** The database is not this member's (no profile), or the sync cannot start for a reason the operator fixes. */
export class SyncSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncSetupError';
  }
}

/** The lock was taken over while this run was still writing (it had gone silent for too long). */
export class SyncLockLostError extends Error {
  constructor() {
    super('Another sync took over the run lock (this run had not renewed it in time); this run stopped without writing further.');
    this.name = 'SyncLockLostError';
  }
}

/** The caller's signal asked the run to stop. */
export class SyncStoppedError extends Error {
  constructor() {
    super('Stopped before it finished (signal); the next run resumes it.');
    this.name = 'SyncStoppedError';
  }
}

export interface KindCounts {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  held: number;
}

export interface SyncCounts {
  offerings: KindCounts & { withdrawn: number; reinstated: number; outcomeSetsReplaced: number };
  accounts: KindCounts & { missing: number };
  enrolments: KindCounts & { missing: number; notStudents: number };
  /** `updated` achievements are corrections (revision raised, AchievementCorrection written). */
  achievements: KindCounts & { keptWithoutResult: number };
  /** Records the client left out because they break the OEAPI spec. */
  rejected: number;
  /** Mapping warnings by code (not errors: those hold the record back). */
  warnings: Record<string, number>;
}

const kind = (): KindCounts => ({ read: 0, inserted: 0, updated: 0, unchanged: 0, held: 0 });

export function emptyCounts(): SyncCounts {
  return {
    offerings: { ...kind(), withdrawn: 0, reinstated: 0, outcomeSetsReplaced: 0 },
    accounts: { ...kind(), missing: 0 },
    enrolments: { ...kind(), missing: 0, notStudents: 0 },
    achievements: { ...kind(), keptWithoutResult: 0 },
    rejected: 0,
    warnings: {},
  };
}

/** A kind's counts in words, for progress lines. */
export function tally(counts: KindCounts): string {
  return `${counts.inserted} new, ${counts.updated} changed, ${counts.unchanged} unchanged, ${counts.held} held back`;
}

/** `total` plus `page`, as a new object (the total is only replaced once the page's transaction committed). */
export function addCounts(total: SyncCounts, page: SyncCounts): SyncCounts {
  const sum = emptyCounts();
  for (const name of ['offerings', 'accounts', 'enrolments', 'achievements'] as const) {
    const target = sum[name] as unknown as Record<string, number>;
    for (const [key, value] of Object.entries(total[name])) target[key] = value + ((page[name] as unknown as Record<string, number>)[key] ?? 0);
  }
  sum.rejected = total.rejected + page.rejected;
  for (const source of [total.warnings, page.warnings]) for (const [code, count] of Object.entries(source)) sum.warnings[code] = (sum.warnings[code] ?? 0) + count;
  return sum;
}

/** Why a record was held back: the field (the source's or the hub's name) and the reason, in words for the member's staff. */
export interface HeldProblem {
  field: string;
  reason: string;
  code?: string;
}

export interface HeldRecord {
  /** course, outcome, offering, person or association. */
  kind: string;
  /** The OEAPI id (or where the record was, when it had none). */
  sourceId: string;
  hubId: string | null;
  /** Associations: the offering's OEAPI id (its associations are read again in full until none is held). */
  parentId: string | null;
  problems: HeldProblem[];
}

const LOCK_NAME = SYNC_SOURCE;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The run lock held by one run; renewed inside each page's transaction. */
export class RunLock {
  private version = 0;
  readonly host = hostname();
  readonly pid = process.pid;

  constructor(readonly runId: string) {}

  /**
   * Takes the lock, or takes it over from a run that is gone: one that has
   * not renewed it for `staleMs`, or whose process on this host has ended
   * (a killed sync need not wait out the stale time). The takeover is a
   * compare-and-swap on the lock's version, so two starters never both win.
   * Returns the run id it took over from, if any.
   */
  async acquire(em: SqlEntityManager, now: Date, staleMs: number): Promise<string | null> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await em.fork().insert(SyncLock, { name: LOCK_NAME, runId: this.runId, host: this.host, pid: this.pid, acquiredAt: now, heartbeatAt: now, version: 0 });
        return null;
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
      }
      const held = await em.fork().findOne(SyncLock, { name: LOCK_NAME });
      if (!held) continue;
      const silentMs = now.getTime() - held.heartbeatAt.getTime();
      const gone = held.host === this.host && held.pid !== this.pid && !processAlive(held.pid);
      if (silentMs < staleMs && !gone) {
        throw new SyncBusyError(
          `another sync of this member is running: run ${held.runId} on ${held.host} (process ${held.pid}), started ${held.acquiredAt.toISOString()}, last renewed ${Math.round(silentMs / 1000)} s ago; ` +
            `a lock not renewed for ${Math.round(staleMs / 1000)} s is taken over.`,
        );
      }
      const taken = await em.fork().nativeUpdate(SyncLock, { name: LOCK_NAME, runId: held.runId, version: held.version }, { runId: this.runId, host: this.host, pid: this.pid, acquiredAt: now, heartbeatAt: now, version: held.version + 1 });
      if (taken === 1) {
        this.version = held.version + 1;
        return held.runId;
      }
    }
    throw new SyncBusyError('another sync of this member took the run lock at the same moment.');
  }

  /** Renews the lock inside `tx`; throws SyncLockLostError when another run has it now. Call `committed()` after the transaction. */
  async renew(tx: SqlEntityManager, now: Date): Promise<void> {
    const renewed = await tx.nativeUpdate(SyncLock, { name: LOCK_NAME, runId: this.runId }, { heartbeatAt: now, version: this.version + 1 });
    if (renewed !== 1) throw new SyncLockLostError();
  }

  committed(): void {
    this.version += 1;
  }

  async release(tx: SqlEntityManager): Promise<void> {
    await tx.nativeDelete(SyncLock, { name: LOCK_NAME, runId: this.runId });
  }
}

export interface RunPlan {
  mode: SyncMode;
  /** Why this mode, in words (the summary says it). */
  reason: string;
  watermark: Date | null;
  /** Carried over from the run resumed. */
  serverStartedAt: Date | null;
  startAt: SyncResource;
  resumes: SyncRun | null;
}

/**
 * What the next run does. The latest run, if it did not succeed and the
 * mapping configuration is the same, is resumed: its mode, its watermark,
 * its source start time, from page 1 of the resource it was on (page
 * numbers are not stable between runs; upserts make re-reading harmless).
 * Otherwise a full run when asked, when there is no complete run yet, when
 * the configuration changed, or when the last full sweep is older than
 * `fullIntervalHours`; else an incremental run from the last watermark.
 */
export async function planRun(em: SqlEntityManager, options: { full: boolean; digest: string; fullIntervalHours: number; now: Date }): Promise<RunPlan> {
  const fork = em.fork();
  const last = await fork.findOne(SyncRun, { source: SYNC_SOURCE }, { orderBy: { startedAt: 'desc' } });
  const lastOk = await fork.findOne(SyncRun, { source: SYNC_SOURCE, status: 'succeeded' }, { orderBy: { startedAt: 'desc' } });
  if (last && last.status !== 'succeeded' && last.configDigest === options.digest && !(options.full && last.mode === 'incremental')) {
    const startAt = (RESOURCES as readonly string[]).includes(last.resource ?? '') ? (last.resource as SyncResource) : 'courses';
    return { mode: last.mode as SyncMode, reason: `resumes run ${last.id} (${last.status}) from ${startAt}`, watermark: last.watermark ?? null, serverStartedAt: last.serverStartedAt ?? null, startAt, resumes: last };
  }
  const lastFull = await fork.findOne(SyncRun, { source: SYNC_SOURCE, status: 'succeeded', mode: 'full' }, { orderBy: { startedAt: 'desc' } });
  const full = (reason: string): RunPlan => ({ mode: 'full', reason, watermark: null, serverStartedAt: null, startAt: 'courses', resumes: null });
  if (options.full) return full('asked for (--full)');
  if (!lastOk?.nextWatermark) return full('first complete run');
  if (lastOk.configDigest !== options.digest) return full('the mapping configuration changed since the last complete run');
  const dueMs = options.fullIntervalHours * 3_600_000;
  if (dueMs > 0 && (!lastFull || options.now.getTime() - lastFull.startedAt.getTime() >= dueMs)) return full(`the last full sweep is ${options.fullIntervalHours} h or more ago`);
  return { mode: 'incremental', reason: `changes since ${lastOk.nextWatermark.toISOString()}`, watermark: lastOk.nextWatermark, serverStartedAt: null, startAt: 'courses', resumes: null };
}
