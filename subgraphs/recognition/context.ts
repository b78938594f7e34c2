import type { MemberIds } from '../../lib/ids.js';
import type { MikroORM } from '@mikro-orm/core';
import type { Principal } from '../../lib/auth.js';
import type { Logger } from '../../lib/log.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import type { RecognitionLoaders } from './loaders.js';
import type { RecognitionSources, SourceCall } from './sources.js';

/** What lives as long as the recognition service. */
export interface RecognitionService {
  orm: MikroORM;
  databaseKind: DatabaseKind;
  sources: RecognitionSources;
  /** The alliance's member ids (from the registry); null: any well-formed member id. */
  knownMembers: MemberIds | null;
  logger: Logger;
  /** The clock (tests hold it still). */
  now(): Date;
  /** Sees every call the service makes to another subgraph (tests count them). */
  observe?: (call: SourceCall) => void;
}

/** What every recognition resolver receives: built fresh for each request. */
export interface RecognitionContext {
  em: SqlEntityManager;
  service: RecognitionService;
  loaders: RecognitionLoaders;
  /** Who is asking, as the hub vouches for it. */
  principal: Principal;
  /** The client's Idempotency-Key header, passed on by the gateway. */
  idempotencyKey: string | null;
}
