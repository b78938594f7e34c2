// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import { badUserInput } from '../../lib/errors.js';
import { callerScope, requestIdempotencyKey, keyReused } from '../../lib/idempotency.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { audit } from './audit.js';
import type { LearnersContext } from './context.js';
import { ERASED_SUBJECT, eraseLearner, learnerHash } from './erasure.js';
import { ErasureReceipt, ErasureRequest, ErasureTask, ErasureTaskStatus, type ErasedCount } from './erasure-model.js';
import { Learner } from './model.js';
import { UUID_PATTERN } from '../../lib/ids.js';

/* The graph's side of erasure: a learner erases their alliance account, and reads the receipt. */


function countsOf(json: string | null | undefined): ErasedCount[] {
  if (!json) return [];
  return Object.entries(JSON.parse(json) as Record<string, number>).map(([kind, count]) => ({ kind, count }));
}

async function receiptOf(em: SqlEntityManager, request: ErasureRequest): Promise<ErasureReceipt> {
  const tasks = await em.find(ErasureTask, { erasureId: request.id }, { orderBy: { id: 'asc' } });
  return {
    id: request.id,
    requestedAt: request.requestedAt,
    completedAt: request.completedAt ?? null,
    complete: tasks.every((task) => task.status === 'DONE'),
    revokeCredentials: request.revokeCredentials,
    register: countsOf(request.registerCounts),
    targets: tasks.map((task) => ({
      target: task.target,
      status: task.status as ErasureTaskStatus,
      attempts: task.attempts,
      lastAttemptAt: task.lastAttemptAt ?? null,
      nextAttemptAt: task.status === 'PENDING' ? task.nextAttemptAt : null,
      doneAt: task.doneAt ?? null,
      problem: task.status === 'PENDING' ? (task.lastError ?? null) : null,
      counts: countsOf(task.counts),
    })),
  };
}

@Resolver()
export class ErasureResolver {
  @Mutation(() => ErasureReceipt, {
    description:
      "Erases your alliance account (the learner only; right to erasure): your records at every member, your grants, your access log and your place in the learner register are erased, and every service holding data about you is told (docs/security.md, \"Erasure\"). A member that is down is told when it is back. Credentials issued to you stay verifiable; with `revokeCredentials` they are revoked. `confirm` must be your alliance learner id. Asking again returns the same receipt; send an Idempotency-Key to make retries safe.",
  })
  async eraseMyAccount(
    @Arg('confirm', () => ID, { description: 'Your alliance learner id, to confirm.' }) confirm: string,
    @Ctx() context: LearnersContext,
    @Arg('revokeCredentials', () => Boolean, { defaultValue: false, description: 'Also revoke every credential issued to you.' }) revokeCredentials: boolean,
    @Arg('idempotencyKey', () => String, { nullable: true, description: 'Must equal the Idempotency-Key header when both are sent.' }) idempotencyKey?: string | null,
  ): Promise<ErasureReceipt> {
    const principal = requireSignedIn(context.principal, 'your alliance account');
    if (!hasRole(principal, 'learner') || !principal.learnerId) throw forbidden('Only a learner can erase their own alliance account.');
    const learnerId = principal.learnerId;
    if (confirm !== learnerId) throw badUserInput('"confirm" must be your alliance learner id: the erasure cannot be undone.', 'confirm');
    const key = requestIdempotencyKey(context.idempotencyKey, idempotencyKey);
    const outbox = context.erasure;
    if (!outbox) {
      throw new GraphQLError('Erasure is not configured on this learner register (no hub key or member registry); nothing was erased.', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
    }
    const hash = learnerHash(learnerId);
    const scope = callerScope(principal);
    const em = context.em;
    if (key) {
      const earlier = await em.findOne(ErasureRequest, { callerScope: scope, idempotencyKey: key });
      if (earlier) {
        if (earlier.revokeCredentials !== revokeCredentials) throw keyReused();
        // The replay is answered only to the learner it erased (the scope implies it; checked again all the same).
        if (earlier.learnerHash !== hash) throw forbidden('No erasure receipt you may see has this key.');
        return receiptOf(em, earlier);
      }
    }
    const learner = await em.findOne(Learner, { id: learnerId });
    if (!learner) {
      // Erased before: the same receipt again (nothing is left to erase).
      const earlier = await em.findOne(ErasureRequest, { learnerHash: hash }, { orderBy: { requestedAt: 'desc' } });
      if (earlier) return receiptOf(em, earlier);
      throw new GraphQLError('Your alliance learner id is not in the learner register.', { extensions: { code: 'NOT_FOUND' } });
    }
    const targets = outbox.targetNames();
    const request = Object.assign(new ErasureRequest(), {
      id: randomUUID(),
      learnerHash: hash,
      requestedAt: new Date(),
      revokeCredentials,
      registerCounts: '{}',
      completedAt: targets.length === 0 ? new Date() : null,
      callerScope: key ? scope : null,
      idempotencyKey: key,
    });
    try {
      await em.transactional(async (tx) => {
        request.registerCounts = JSON.stringify(await eraseLearner(tx, learnerId));
        tx.persist(request);
        for (const target of targets) {
          tx.persist(
            Object.assign(new ErasureTask(), {
              erasureId: request.id,
              target: target.name,
              audience: target.audience,
              learnerId,
              revokeCredentials,
              status: 'PENDING',
              attempts: 0,
              nextAttemptAt: new Date(),
            }),
          );
        }
        audit(tx, { ...principal, subject: ERASED_SUBJECT }, 'ERASE_ACCOUNT', request.id, { after: { revokeCredentials, targets: targets.map((target) => target.name) } });
      });
    } catch (error) {
      // A concurrent request with the same key made it first.
      if (error instanceof UniqueConstraintViolationException && key) return this.eraseMyAccount(confirm, { ...context, em: em.fork() as SqlEntityManager }, revokeCredentials, key);
      throw error;
    }
    // Tell every target now; whatever does not answer is asked again by the outbox.
    await outbox.attemptErasure(request.id);
    return receiptOf(em.fork() as SqlEntityManager, request);
  }

  @Query(() => ErasureReceipt, {
    nullable: true,
    description: 'The receipt of an erasure: what each member and service did, and what is still pending (the learner it erased, and alliance administrators). An unknown id is refused like one you may not see.',
  })
  async erasureReceipt(@Arg('id', () => ID) id: string, @Ctx() context: LearnersContext): Promise<ErasureReceipt> {
    const principal = requireSignedIn(context.principal, 'erasure receipts');
    const request = UUID_PATTERN.test(id) ? await context.em.findOne(ErasureRequest, { id }) : null;
    const mayRead = request && (hasRole(principal, 'alliance-admin') || (hasRole(principal, 'learner') && principal.learnerId && learnerHash(principal.learnerId) === request.learnerHash));
    if (!request || !mayRead) throw forbidden('No erasure receipt you may see has this id.');
    return receiptOf(context.em, request);
  }
}
