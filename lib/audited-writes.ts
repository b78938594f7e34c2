import { EntitySchema, UniqueConstraintViolationException, type EntityClass } from '@mikro-orm/core';
import type { SignedIn } from './access.js';
import { callerScope, keyReused, requestFingerprint } from './idempotency.js';
import type { SqlEntityManager } from './orm.js';

/*
 * Every write of a central service leaves an audit row (who: subject, roles,
 * member or learner; when; what; the state before and after) in the same
 * transaction as the write, and runs under an idempotency key when the client
 * sent one: same caller + key + request gives the same answer, the same key
 * with another request is refused (IETF Idempotency-Key draft). Each service
 * keeps the two tables in its own database, with these columns.
 */

/** An audit row's columns. */
export interface AuditRow {
  id: number;
  at: Date;
  actorSubject: string;
  /** Comma-separated roles of the token. */
  actorRoles: string;
  actorMemberId?: string | null;
  actorLearnerId?: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before?: string | null;
  after?: string | null;
}

/** An audit row as a class: each service's audit entity extends it (one table each, the same columns). */
export class AuditRecord implements AuditRow {
  id!: number;
  at!: Date;
  actorSubject!: string;
  actorRoles!: string;
  actorMemberId?: string | null;
  actorLearnerId?: string | null;
  action!: string;
  entityType!: string;
  entityId!: string;
  before?: string | null;
  after?: string | null;
}

/** An idempotency key as used: caller + key → the request's fingerprint and what it made. */
export interface IdempotencyRow {
  id: number;
  /** sha256 of the caller's whole identity (lib/idempotency.ts callerScope). */
  caller: string;
  subject: string;
  key: string;
  operation: string;
  fingerprint: string;
  resultId: string;
  createdAt: Date;
}

export interface IdempotentWrite<T, P> {
  /** Names the kind of write, so one key cannot be replayed as another. */
  operation: string;
  /** The request's canonical parts; a replay must match them. */
  request: unknown;
  /** The checked key, or null. */
  key: string | null;
  /** Reads and checks what the write needs, outside any transaction (calls to other subgraphs); skipped on a replay. */
  prepare(): Promise<P>;
  /** Does the write inside the transaction and returns the id of what it made or changed. */
  write(tx: SqlEntityManager, prepared: P): Promise<string>;
  /** Loads the answer for an id, checking again that the caller may have it (replays included). */
  answer(id: string): Promise<T>;
}

export interface AuditedWrites {
  /** Adds the audit row of a write to the transaction `tx`. */
  audit(tx: SqlEntityManager, caller: SignedIn, action: string, entity: { type: string; id: string }, before: unknown, after: unknown, at: Date): void;
  /** Runs a write once per (caller, key); returns its answer and whether it was a replay. */
  idempotentWrite<T, P>(em: SqlEntityManager, caller: SignedIn, write: IdempotentWrite<T, P>, now: Date): Promise<{ value: T; replayed: boolean }>;
}

/**
 * Adds one audit row to `tx` (a service whose writes need no idempotency
 * table, e.g. a member's enrolment decisions, which are idempotent by state).
 */
export function addAuditRow<A extends AuditRow>(
  tx: SqlEntityManager,
  auditEntity: EntityClass<A>,
  caller: SignedIn,
  action: string,
  entity: { type: string; id: string },
  before: unknown,
  after: unknown,
  at: Date,
): void {
  tx.create(auditEntity, {
    at,
    actorSubject: caller.subject.slice(0, 255),
    actorRoles: [...caller.roles].sort().join(','),
    actorMemberId: caller.memberId ?? null,
    actorLearnerId: caller.learnerId ?? null,
    action,
    entityType: entity.type,
    entityId: entity.id,
    before: before === null || before === undefined ? null : JSON.stringify(before),
    after: after === null || after === undefined ? null : JSON.stringify(after),
  } as never);
}

/** The audited, idempotent writes of a service whose tables are `auditEntity` and `idempotencyEntity`. */
export function auditedWrites<A extends AuditRow, I extends IdempotencyRow>(auditEntity: EntityClass<A>, idempotencyEntity: EntityClass<I>): AuditedWrites {
  const findRecord = (em: SqlEntityManager, scope: string, key: string) => em.fork().findOne(idempotencyEntity, { caller: scope, key } as never) as Promise<I | null>;
  return {
    audit(tx, caller, action, entity, before, after, at) {
      addAuditRow(tx, auditEntity, caller, action, entity, before, after, at);
    },
    async idempotentWrite(em, caller, write, now) {
      const scope = callerScope(caller);
      const fingerprint = requestFingerprint([write.operation, write.request]);
      const replay = async (record: I) => {
        if (record.fingerprint !== fingerprint) throw keyReused();
        return { value: await write.answer(record.resultId), replayed: true };
      };
      if (write.key) {
        const record = await findRecord(em, scope, write.key);
        if (record) return replay(record);
      }
      const prepared = await write.prepare();
      try {
        const id = await em.fork().transactional(async (tx) => {
          const result = await write.write(tx as SqlEntityManager, prepared);
          if (write.key) {
            tx.create(idempotencyEntity, { caller: scope, subject: caller.subject.slice(0, 255), key: write.key, operation: write.operation, fingerprint, resultId: result, createdAt: now } as never);
          }
          return result;
        });
        return { value: await write.answer(id), replayed: false };
      } catch (error) {
        // Lost a race with the same key: the first write is the answer.
        if (write.key && error instanceof UniqueConstraintViolationException) {
          const record = await findRecord(em, scope, write.key);
          if (record) return replay(record);
        }
        throw error;
      }
    },
  };
}

/** The ORM mapping of a service's audit table (the columns of `AuditRow`), indexed for "what happened to X" and "what did learner Y do". */
export function auditEntitySchema<A extends AuditRow>(auditClass: EntityClass<A>, tableName: string): EntitySchema<A> {
  return new EntitySchema<A>({
    class: auditClass as never,
    tableName,
    indexes: [{ properties: ['entityType', 'entityId'] as never }, { properties: ['actorLearnerId'] as never }],
    properties: {
      id: { type: 'integer', primary: true, autoincrement: true },
      at: { type: 'datetime' },
      actorSubject: { type: 'string', length: 255 },
      actorRoles: { type: 'string', length: 255 },
      actorMemberId: { type: 'string', length: 253, nullable: true },
      actorLearnerId: { type: 'string', length: 64, nullable: true },
      action: { type: 'string', length: 64 },
      entityType: { type: 'string', length: 64 },
      entityId: { type: 'string', length: 255 },
      before: { type: 'text', nullable: true },
      after: { type: 'text', nullable: true },
    } as never,
  });
}
