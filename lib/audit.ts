import type { Principal } from './auth.js';

/*
 * Who did a write, as every subgraph's audit table records it: the token
 * subject, the roles, and the member or verifier the caller acts for.
 */
export interface AuditActor {
  subject: string;
  roles: string;
  memberId: string | null;
  verifierId: string | null;
}

export function auditActor(principal: Principal): AuditActor {
  if (principal.kind !== 'user') return { subject: 'anonymous', roles: '', memberId: null, verifierId: null };
  return { subject: principal.subject, roles: [...principal.roles].sort().join(','), memberId: principal.memberId ?? null, verifierId: principal.verifierId ?? null };
}
