import { DriverException, type MikroORM } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../lib/log.js';
import type { DatabaseKind, SqlEntityManager } from '../../../lib/orm.js';
import { Institution, MemberAudit, SyncCheckpoint, SyncRun } from '../model.js';
import { OeapiError } from '../oeapi/client-errors.js';
import type { OeapiClient } from '../oeapi/client.js';
import { syncCourses } from './catalogue.js';
import { configDigest, type SyncDefaults } from './config.js';
import { syncAssociations, syncPersons } from './learners.js';
import { rejectedRecord, type RunContext } from './run.js';
import {
  addCounts,
  emptyCounts,
  planRun,
  RESOURCES,
  RunLock,
  SYNC_ACTOR,
  SYNC_SOURCE,
  SyncLockLostError,
  SyncSetupError,
  SyncStoppedError,
  type HeldRecord,
  type RunPlan,
  type RunStatus,
  type SyncCounts,
  type SyncMode,
  type SyncResource,
} from './state.js';
import { heldRecords, hold } from './store.js';

/*
 * syncFromOeapi: one run of a member's pull from its OEAPI source into its
 * own database (README.md has the model and the reasons). It takes the run
 * lock, resumes an unfinished run or plans a new one, reads the resources in
 * order (courses → persons → associations) writing each page with its
 * checkpoint in one transaction, and ends by advancing the watermark, with
 * one audit row, only when every listing ended cleanly.
 */

export interface SyncFromOeapiOptions {
  orm: MikroORM;
  databaseKind: DatabaseKind;
  memberId: string;
  client: OeapiClient;
  defaults: SyncDefaults;
  logger: Logger;
  /** The run's clock (default: the system's): first sight, withdrawals, audit rows, "not in the future". */
  now?: () => Date;
  /** Sweep everything (finds deletions); otherwise the plan decides (README.md). */
  full?: boolean;
  /** Subtracted from the source's clock at the run's start to give the next watermark; default 300 s. */
  overlapSeconds?: number;
  /** A run is full when the last full sweep is older; 0: only when asked; default 24. */
  fullIntervalHours?: number;
  /** A lock not renewed for this long is taken over; default 600 s. */
  lockStaleSeconds?: number;
  /** Records per page where the sync batches (associations, courses fetched by id); default 100. */
  batchSize?: number;
  /** Stops the run between pages; it ends "stopped" and the next run resumes it. */
  signal?: AbortSignal;
}

export interface SyncResult {
  runId: string;
  memberId: string;
  status: Exclude<RunStatus, 'running' | 'abandoned'>;
  mode: SyncMode;
  /** Why this mode (first run, asked for, configuration changed, resumes run …). */
  reason: string;
  resumedFrom: string | null;
  /** The run whose stale lock this one took over, if any. */
  tookOverFrom: string | null;
  counts: SyncCounts;
  /** Records held back by this run. */
  heldThisRun: number;
  /** Every record held back and not written since (this run's and earlier ones'), from sync_held. */
  held: (HeldRecord & { runId: string; firstHeldAt: Date })[];
  watermark: Date | null;
  nextWatermark: Date | null;
  error: { code: string; message: string } | null;
  startedAt: Date;
  finishedAt: Date;
}

const CHECKPOINT_DAYS = 14;

/** An error as it may be stored and shown: OEAPI errors are written to be; a database error loses its statement (it can quote learners' data). */
function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof OeapiError) return { code: error.code, message: error.message };
  if (error instanceof SyncLockLostError) return { code: 'LOCK_LOST', message: error.message };
  if (error instanceof SyncStoppedError) return { code: 'STOPPED', message: error.message };
  if (error instanceof DriverException) {
    const cut = error.message.lastIndexOf(' - ');
    return { code: 'DATABASE', message: `The database refused a write (${error.name}): ${cut >= 0 ? error.message.slice(cut + 3) : error.message}`.slice(0, 500) };
  }
  return { code: 'INTERNAL', message: (error instanceof Error ? error.message : String(error)).slice(0, 500) };
}

function auditCounts(counts: SyncCounts): Record<string, unknown> {
  const { warnings: _warnings, ...numbers } = counts;
  return numbers;
}

interface RunState {
  counts: SyncCounts;
  pages: number;
  resourcePages: Map<SyncResource, number>;
  serverStartedAt: Date | null;
  pendingHeld: HeldRecord[];
  pendingWarnings: Record<string, number>;
  heldThisRun: number;
}

/** One run of the member's sync from its OEAPI source. Throws SyncBusyError (another run holds the lock) and SyncSetupError; source and database failures end the run "failed" and are in the result. */
export async function syncFromOeapi(options: SyncFromOeapiOptions): Promise<SyncResult> {
  const now = options.now ?? (() => new Date());
  const log = options.logger;
  const em = options.orm.em.fork() as SqlEntityManager;
  const institution = await em.findOne(Institution, { id: options.memberId });
  if (!institution) {
    const others = await em.find(Institution, {}, { fields: ['id'], limit: 3 });
    throw new SyncSetupError(others.length > 0 ? `this database holds the data of ${others.map((other) => other.id).join(', ')}, not of ${options.memberId}.` : `this database has no profile of member ${options.memberId} (its institution row): is it the member's database?`);
  }
  const runId = randomUUID();
  const lock = new RunLock(runId);
  const startedAt = now();
  const tookOverFrom = await lock.acquire(em, startedAt, (options.lockStaleSeconds ?? 600) * 1000);
  const digest = configDigest(options.defaults);
  let plan: RunPlan | undefined;
  let created = false;
  const state: RunState = { counts: emptyCounts(), pages: 0, resourcePages: new Map(), serverStartedAt: null, pendingHeld: [], pendingWarnings: {}, heldThisRun: 0 };
  let status: SyncResult['status'] = 'succeeded';
  let failure: { code: string; message: string } | null = null;
  let nextWatermark: Date | null = null;
  try {
    plan = await planRun(em, { full: options.full ?? false, digest, fullIntervalHours: options.fullIntervalHours ?? 24, now: startedAt });
    state.serverStartedAt = plan.serverStartedAt;
    const resumes = plan.resumes;
    await em.fork().transactional(async (inner) => {
      const tx = inner as SqlEntityManager;
      await lock.renew(tx, startedAt);
      // A run left "running" was killed or lost its lock: whichever run comes next says so.
      const running = await tx.find(SyncRun, { source: SYNC_SOURCE, status: 'running' });
      for (const old of running) {
        const resumed = resumes?.id === old.id;
        await tx.nativeUpdate(SyncRun, { id: old.id }, {
          status: 'abandoned',
          finishedAt: startedAt,
          error: `Stopped without finishing during ${old.resource ?? 'its start'} (its process ended or its lock went stale); ${resumed ? 'resumed' : 'superseded'} by run ${runId}.`,
        });
      }
      if (resumes) await tx.nativeUpdate(SyncRun, { id: resumes.id }, { resumedBy: runId });
      await tx.insert(SyncRun, {
        id: runId, source: SYNC_SOURCE, memberId: options.memberId, mode: plan!.mode, status: 'running', startedAt, finishedAt: null, resource: plan!.startAt, pages: 0,
        watermark: plan!.watermark, serverStartedAt: plan!.serverStartedAt, nextWatermark: null, configDigest: digest, counts: JSON.stringify(state.counts), heldBack: 0,
        error: null, resumedFrom: resumes?.id ?? null, resumedBy: null, host: lock.host, pid: lock.pid,
      });
    });
    lock.committed();
    created = true;
    log.info(`run ${runId}: ${plan.mode} (${plan.reason})${tookOverFrom ? `; took over the stale lock of run ${tookOverFrom}` : ''}`);

    const context: RunContext = {
      runId,
      memberId: options.memberId,
      mode: plan.mode,
      watermark: plan.mode === 'incremental' ? plan.watermark : null,
      client: options.client,
      defaults: options.defaults,
      member: { id: institution.id, name: institution.name, accreditationAuthority: institution.accreditationAuthority },
      databaseKind: options.databaseKind,
      em,
      now,
      log,
      batchSize: options.batchSize ?? 100,
      signal: options.signal,
      noteServerDate(date) {
        if (!state.serverStartedAt && date) state.serverStartedAt = new Date(date);
      },
      rejected(kind, record, parentId) {
        state.pendingHeld.push(rejectedRecord(options.memberId, kind, record, parentId));
      },
      warned(warnings) {
        for (const warning of warnings) if (warning.severity !== 'error') state.pendingWarnings[warning.code] = (state.pendingWarnings[warning.code] ?? 0) + 1;
      },
      checkStop() {
        if (options.signal?.aborted) throw new SyncStoppedError();
      },
      async commit(resource, write, commitOptions = {}) {
        const at = now();
        const page = emptyCounts();
        const pageNumber = (state.resourcePages.get(resource) ?? 0) + 1;
        let line = '';
        let total = state.counts;
        let heldNow = 0;
        const nextResource = commitOptions.done ? (RESOURCES[RESOURCES.indexOf(resource) + 1] ?? resource) : resource;
        await em.fork().transactional(async (inner) => {
          const tx = inner as SqlEntityManager;
          await lock.renew(tx, at);
          const outcome = await write(tx, page);
          const held = [...state.pendingHeld, ...(outcome.held ?? [])];
          page.rejected += state.pendingHeld.length;
          page.warnings = { ...state.pendingWarnings };
          await hold(tx, held, runId, at);
          heldNow = held.length;
          total = addCounts(state.counts, page);
          await tx.insert(SyncCheckpoint, { runId, resource, page: pageNumber, done: commitOptions.done ?? false, counts: JSON.stringify(page), at });
          await tx.nativeUpdate(SyncRun, { id: runId }, { resource: nextResource, pages: state.pages + 1, counts: JSON.stringify(total), heldBack: state.heldThisRun + heldNow, serverStartedAt: state.serverStartedAt });
          line = outcome.line;
        });
        // Only now, with the page committed, does the run's state move on.
        lock.committed();
        state.counts = total;
        state.pages += 1;
        state.resourcePages.set(resource, pageNumber);
        state.pendingHeld = [];
        state.pendingWarnings = {};
        state.heldThisRun += heldNow;
        log.info(line);
      },
    };
    const stages: Record<SyncResource, (run: RunContext) => Promise<void>> = { courses: syncCourses, persons: syncPersons, associations: syncAssociations };
    for (const resource of RESOURCES.slice(RESOURCES.indexOf(plan.startAt))) {
      context.checkStop();
      await stages[resource](context);
    }
    if (!state.serverStartedAt) {
      log.warn('the source sent no Date header: the next watermark is taken from this machine\'s clock at the start');
      state.serverStartedAt = startedAt;
    }
    nextWatermark = new Date(state.serverStartedAt.getTime() - (options.overlapSeconds ?? 300) * 1000);
  } catch (error) {
    failure = describeError(error);
    status = error instanceof SyncStoppedError ? 'stopped' : 'failed';
    if (failure.code === 'INTERNAL' || failure.code === 'DATABASE') log.error(`run ${runId} failed`, { error });
    else log.warn(`run ${runId} failed: ${failure.message}`);
  }

  const finishedAt = now();
  const finish = async (withLock: boolean) => {
    await em.fork().transactional(async (inner) => {
      const tx = inner as SqlEntityManager;
      if (withLock) await lock.renew(tx, finishedAt);
      if (created) {
        await tx.nativeUpdate(SyncRun, { id: runId }, { status, finishedAt, counts: JSON.stringify(state.counts), heldBack: state.heldThisRun, error: failure ? `${failure.code}: ${failure.message}` : null, ...(status === 'succeeded' ? { nextWatermark } : {}) });
        // One audit row per run: counts only, no learner's data.
        tx.create(MemberAudit, {
          at: finishedAt, actorSubject: SYNC_ACTOR, actorRoles: '', actorMemberId: options.memberId, actorLearnerId: null, action: 'syncOeapi', entityType: 'SyncRun', entityId: runId,
          before: JSON.stringify({ watermark: plan?.watermark?.toISOString() ?? null, mode: plan?.mode, resumedFrom: plan?.resumes?.id ?? null }),
          after: JSON.stringify({ status, counts: auditCounts(state.counts), heldBack: state.heldThisRun, nextWatermark: nextWatermark?.toISOString() ?? null, error: failure?.code ?? null }),
        } as never);
      }
      if (status === 'succeeded') await tx.nativeDelete(SyncCheckpoint, { at: { $lt: new Date(finishedAt.getTime() - CHECKPOINT_DAYS * 86_400_000) } });
      if (withLock) await lock.release(tx);
      await tx.flush();
    });
  };
  try {
    await finish(failure?.code !== 'LOCK_LOST');
  } catch (error) {
    if (!(error instanceof SyncLockLostError)) throw error;
    // The lock went to another run while this one finished: record the end without touching it.
    status = 'failed';
    failure = describeError(error);
    nextWatermark = null;
    await finish(false);
  }
  return {
    runId,
    memberId: options.memberId,
    status,
    mode: plan?.mode ?? 'incremental',
    reason: plan?.reason ?? '',
    resumedFrom: plan?.resumes?.id ?? null,
    tookOverFrom,
    counts: state.counts,
    heldThisRun: state.heldThisRun,
    held: await heldRecords(em),
    watermark: plan?.watermark ?? null,
    nextWatermark: status === 'succeeded' ? nextWatermark : null,
    error: failure,
    startedAt,
    finishedAt,
  };
}
