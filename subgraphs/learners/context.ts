import type { Principal } from '../../lib/auth.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import type { LearnersLoaders } from './loaders.js';

export interface LearnersContext {
  em: SqlEntityManager;
  databaseKind: DatabaseKind;
  loaders: LearnersLoaders;
  /** Who is asking, as the hub vouches for it. */
  principal: Principal;
  /** The alliance's member ids (from the registry), to check grants against; null: any well-formed id. */
  knownMembers: ReadonlySet<string> | null;
}
