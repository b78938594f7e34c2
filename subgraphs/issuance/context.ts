import type { MikroORM } from '@mikro-orm/core';
import type { Principal } from '../../lib/auth.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import type { CorrectionWatcher } from './corrections.js';
import type { CohortJobs } from './cohort.js';
import type { IssuanceDependencies } from './issue.js';
import type { StatusLists } from './statuses.js';
import type { VerificationDependencies } from './verify.js';

/** What lives as long as the issuance service: keys, sources, status lists, the schema validator. */
export interface IssuanceService {
  orm: MikroORM;
  issuance: IssuanceDependencies;
  verification: VerificationDependencies;
  statuses: StatusLists;
  cohorts: CohortJobs;
  /** Suspends credentials of achievements their member corrected (corrections.ts). */
  corrections: CorrectionWatcher;
  /** Stops its worker threads (sealing, verifying). */
  close(): Promise<void>;
}

/** What every issuance resolver receives: built fresh for each request. */
export interface IssuanceContext {
  em: SqlEntityManager;
  service: IssuanceService;
  /** Who is asking, as the hub vouches for it. */
  principal: Principal;
  /** The client's Idempotency-Key header, passed on by the gateway. */
  idempotencyKey: string | null;
}
