import type { MikroORM } from '@mikro-orm/core';
import { callErasureTarget, ErasureCallError, type ErasureTarget } from '../../lib/erasure.js';
import type { HttpClient } from '../../lib/http-client.js';
import type { HubSigner } from '../../lib/hub-token.js';
import type { Logger } from '../../lib/log.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import type { Registry } from '../members/registry.js';
import { ErasureRequest, ErasureTask } from './erasure-model.js';

/*
 * The durable outbox of erasures (docs/security.md, "Erasure"). Every task
 * is written in the transaction that erases the learner from the register,
 * so no target can be forgotten; the outbox then asks each target until it
 * answers: at once, and again with a growing pause (up to `retryMaxMs`)
 * while it is down or failing - never giving up. A task is claimed with a
 * conditional update before it is tried, so several learners processes never
 * send the same task twice at the same moment (and targets are idempotent
 * anyway). When a target has answered, the task forgets the learner id.
 */

export interface ErasureOutboxOptions {
  orm: MikroORM;
  signer: HubSigner;
  client: HttpClient;
  logger: Logger;
  /** The targets as configured now: members from the registry, central services by name. */
  targets: () => ErasureTarget[];
  /** Deadline of one call to a target. */
  timeoutMs?: number;
  /** Pause after the first failure, doubled after each further one, up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How often due tasks are looked for. */
  pollMs?: number;
}

/** A claimed task is not tried by anyone else for this long (a call cannot take longer than its deadline). */
const LEASE_MARGIN_MS = 5_000;
const BATCH = 50;

export class ErasureOutbox {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly timeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly options: ErasureOutboxOptions) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.retryBaseMs = options.retryBaseMs ?? 5_000;
    this.retryMaxMs = options.retryMaxMs ?? 10 * 60_000;
  }

  /** Names the targets an erasure must reach now (written as its tasks). */
  targetNames(): ErasureTarget[] {
    return this.options.targets();
  }

  /** Starts looking for due tasks (tasks left by an earlier run included). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runDue(), this.options.pollMs ?? 5_000);
    this.timer.unref();
    void this.runDue();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Tries every due task once (one pass at a time). */
  runDue(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      const em = this.options.orm.em.fork() as SqlEntityManager;
      const due = await em.find(ErasureTask, { status: 'PENDING', nextAttemptAt: { $lte: new Date() } }, { orderBy: { id: 'asc' }, limit: BATCH });
      await Promise.all(due.map((task) => this.attempt(task.id)));
    } catch (error) {
      this.options.logger.error('the erasure outbox could not run', { error: error as Error });
    }
  }

  /** Tries the tasks of one erasure now (right after it was requested), whatever their schedule. */
  async attemptErasure(erasureId: string): Promise<void> {
    const tasks = await this.options.orm.em.fork().find(ErasureTask, { erasureId, status: 'PENDING' }, { orderBy: { id: 'asc' } });
    await Promise.all(tasks.map((task) => this.attempt(task.id, true)));
  }

  private async attempt(taskId: number, now = false): Promise<void> {
    const em = this.options.orm.em.fork() as SqlEntityManager;
    const started = new Date();
    // Claim: only one process tries a task at a time.
    const claimed = await em.nativeUpdate(
      ErasureTask,
      { id: taskId, status: 'PENDING', ...(now ? {} : { nextAttemptAt: { $lte: started } }) },
      { nextAttemptAt: new Date(started.getTime() + this.timeoutMs + LEASE_MARGIN_MS), lastAttemptAt: started },
    );
    if (claimed !== 1) return;
    const task = await em.findOneOrFail(ErasureTask, { id: taskId });
    const target = this.options.targets().find((candidate) => candidate.name === task.target);
    try {
      if (!target) throw new ErasureCallError('is not among the configured targets');
      if (!task.learnerId) throw new ErasureCallError('has no learner to erase');
      const counts = await callErasureTarget(this.options.client, this.options.signer, target, { learnerId: task.learnerId, revokeCredentials: task.revokeCredentials }, this.timeoutMs);
      Object.assign(task, { status: 'DONE', attempts: task.attempts + 1, counts: JSON.stringify(counts), doneAt: new Date(), learnerId: null, lastError: null });
      await em.flush();
      await this.completeIfDone(em, task.erasureId);
    } catch (error) {
      const reason = error instanceof ErasureCallError ? error.message : 'failed unexpectedly';
      if (!(error instanceof ErasureCallError)) this.options.logger.error('erasure task failed', { task: task.id, error: error as Error });
      const attempts = task.attempts + 1;
      const pause = Math.min(this.retryBaseMs * 2 ** (attempts - 1), this.retryMaxMs);
      Object.assign(task, { attempts, lastError: `${task.target} ${reason}`.slice(0, 500), nextAttemptAt: new Date(Date.now() + pause) });
      await em.flush();
    }
  }

  private async completeIfDone(em: SqlEntityManager, erasureId: string): Promise<void> {
    const pending = await em.count(ErasureTask, { erasureId, status: 'PENDING' });
    if (pending === 0) await em.nativeUpdate(ErasureRequest, { id: erasureId, completedAt: null }, { completedAt: new Date() });
  }
}

/** Every member of the registry, as an erasure target (its erasure route is on its GraphQL endpoint's origin). */
export function memberErasureTargets(registry: Pick<Registry, 'members'>): ErasureTarget[] {
  return registry.members.map((member) => ({ name: `member:${member.id}`, audience: member.id, origin: new URL(member.endpoint).origin }));
}
