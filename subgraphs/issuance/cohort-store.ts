import { EntitySchema } from '@mikro-orm/core';
import type { SignedIn } from '../../lib/access.js';
import type { CredentialKind } from './facts.js';

/*
 * What a cohort job leaves in the issuance database (cohort.ts runs it), so
 * that every replica over the same database sees it and any of them can
 * carry it on when the one running it dies. The credentials table stays the
 * truth of what was issued; these counts are what the job has recorded, never
 * more than that.
 */

export type JobStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';

/** Problems kept per job (the counts are always complete); a bounded JSON array. */
export const MAX_PROBLEMS = 100;
/** The longest reason kept for one problem. */
const MAX_REASON = 500;

export interface CohortProblem {
  achievementId: string;
  reason: string;
}

/** One row per job. Mapped by CohortJobSchema below (explicit types: esbuild emits no decorator metadata). */
export class CohortJobRecord {
  id!: string;
  offeringId!: string;
  memberId!: string;
  kind!: CredentialKind;
  status!: JobStatus;
  total?: number | null;
  issued!: number;
  alreadyIssued!: number;
  refused!: number;
  /** JSON array of CohortProblem, at most MAX_PROBLEMS (text, like the other JSON the service stores). */
  problems!: string;
  requestedBy!: string;
  startedAt!: Date;
  finishedAt?: Date | null;
  failure?: string | null;
  /** The endCursor of the last page whose credentials and counts are recorded: a resumed job reads the page after it. */
  cursor?: string | null;
  /** The replica running the job and until when its claim holds; another replica may take it over after that. */
  leaseOwner?: string | null;
  leaseExpiresAt?: Date | null;
  /**
   * `<offering> <kind>` while the job runs, null once it has finished: unique,
   * so two replicas asked for the same cohort at once cannot both start a job
   * (NULLs never clash, in SQLite and PostgreSQL alike).
   */
  runningKey?: string | null;
  /** Runs of the job: 1 when started, one more each time a replica takes it over. */
  attempts!: number;
  resumedAt?: Date | null;
}

export const CohortJobSchema = new EntitySchema<CohortJobRecord>({
  class: CohortJobRecord,
  tableName: 'cohort_job',
  uniques: [{ properties: ['runningKey'] }],
  indexes: [{ properties: ['status'] }, { properties: ['finishedAt'] }],
  properties: {
    id: { type: 'string', primary: true, length: 36 },
    offeringId: { type: 'string', length: 255 },
    memberId: { type: 'string', length: 253 },
    kind: { type: 'string', length: 32 },
    status: { type: 'string', length: 16 },
    total: { type: 'integer', nullable: true },
    issued: { type: 'integer' },
    alreadyIssued: { type: 'integer' },
    refused: { type: 'integer' },
    problems: { type: 'text' },
    requestedBy: { type: 'string', length: 255 },
    startedAt: { type: 'datetime' },
    finishedAt: { type: 'datetime', nullable: true },
    failure: { type: 'string', length: 500, nullable: true },
    cursor: { type: 'text', nullable: true },
    leaseOwner: { type: 'string', length: 128, nullable: true },
    leaseExpiresAt: { type: 'datetime', nullable: true },
    runningKey: { type: 'string', length: 300, nullable: true },
    attempts: { type: 'integer' },
    resumedAt: { type: 'datetime', nullable: true },
  },
});

/** A job as callers see it (the GraphQL IssuanceJob). */
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
  problems: CohortProblem[];
  requestedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
  /** Why the job stopped, when it failed. */
  failure: string | null;
  /** Runs of the job (more than 1: taken over after the replica running it stopped). */
  attempts: number;
  /** When a replica last took it over. */
  resumedAt: Date | null;
}

export function runningKey(offeringId: string, kind: CredentialKind): string {
  return `${offeringId} ${kind}`;
}

export function readProblems(text: string): CohortProblem[] {
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? (parsed as CohortProblem[]) : [];
  } catch {
    return [];
  }
}

/** The problems with new ones added, bounded in number and length (the row must stay small). */
export function addProblems(kept: readonly CohortProblem[], added: readonly CohortProblem[]): CohortProblem[] {
  const room = Math.max(0, MAX_PROBLEMS - kept.length);
  return [...kept, ...added.slice(0, room).map((problem) => ({ achievementId: problem.achievementId, reason: problem.reason.slice(0, MAX_REASON) }))];
}

export function jobOf(row: CohortJobRecord): CohortJob {
  return {
    id: row.id,
    offeringId: row.offeringId,
    memberId: row.memberId,
    kind: row.kind,
    status: row.status,
    total: row.total ?? null,
    issued: row.issued,
    alreadyIssued: row.alreadyIssued,
    refused: row.refused,
    problems: readProblems(row.problems),
    requestedBy: row.requestedBy,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt ?? null,
    failure: row.failure ?? null,
    attempts: row.attempts,
    resumedAt: row.resumedAt ?? null,
  };
}

/**
 * Whom a job reads the cohort as. Only the requester's subject and member are
 * stored, so a replica taking the job over acts as that member's staff and no
 * more (whatever other roles the requester had are not needed for a cohort).
 */
export function callerOf(row: CohortJobRecord): SignedIn {
  return { kind: 'user', subject: row.requestedBy, roles: ['member-staff'], memberId: row.memberId };
}
