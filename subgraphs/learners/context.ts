import type { HeavyReads } from '../../lib/sqlite-reads.js';
import type { MemberIds } from '../../lib/ids.js';
import type { Principal } from '../../lib/auth.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import type { SubgraphCaller } from '../../lib/subgraph-calls.js';
import type { ErasureOutbox } from './erasure-outbox.js';
import type { LearnersLoaders } from './loaders.js';

export interface LearnersContext {
  em: SqlEntityManager;
  databaseKind: DatabaseKind;
  loaders: LearnersLoaders;
  /** Who is asking, as the hub vouches for it. */
  principal: Principal;
  /** The alliance's member ids (from the registry), to check grants against; null: any well-formed id. */
  knownMembers: MemberIds | null;
  /** Where the register's aggregates (mobility counts) run (lib/sqlite-reads.ts); absent: in the process. */
  reads?: HeavyReads;
  /** Tells members and services about erasures; absent: erasure is not configured here. */
  erasure?: ErasureOutbox | null;
  /** Sends applications to the member router (applyForOffering); absent: enrolment is not configured here. */
  enrolment?: SubgraphCaller<'members'> | null;
  /** The client's Idempotency-Key header, passed on by the gateway. */
  idempotencyKey?: string | null;
}
