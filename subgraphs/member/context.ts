import type { Principal } from '../../lib/auth.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import type { HeavyReads } from '../../lib/sqlite-reads.js';
import type { MemberLoaders } from './loaders.js';

/** What every member resolver receives: built fresh for each request. */
export interface MemberContext {
  /** This member's id (its web domain). */
  memberId: string;
  em: SqlEntityManager;
  databaseKind: DatabaseKind;
  loaders: MemberLoaders;
  /** Where aggregates over the whole database run (lib/sqlite-reads.ts); absent: in the process. */
  reads?: HeavyReads;
  /** Who is asking, as the hub vouches for it. */
  principal: Principal;
  /** The member's clock: enrolment deadlines are checked against its date (tests fix it to the demo data's term). */
  clock: () => Date;
}
