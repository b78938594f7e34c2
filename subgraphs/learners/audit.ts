import { auditActor } from '../../lib/audit.js';
import type { Principal } from '../../lib/auth.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { AuditEvent } from './model.js';

/**
 * Adds an audit row to the unit of work, so it is written in the same flush
 * (and transaction) as the change it records.
 */
export function audit(
  em: SqlEntityManager,
  principal: Principal,
  action: string,
  target: string,
  details: { learnerId?: string | null; before?: unknown; after?: unknown } = {},
): void {
  em.persist(
    em.create(AuditEvent, {
      at: new Date(),
      ...auditActor(principal),
      learnerId: details.learnerId ?? null,
      action,
      target,
      before: details.before === undefined ? null : JSON.stringify(details.before),
      after: details.after === undefined ? null : JSON.stringify(details.after),
    } as never),
  );
}
