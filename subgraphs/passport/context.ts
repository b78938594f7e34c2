import type { MikroORM } from '@mikro-orm/core';
import type { Principal } from '../../lib/auth.js';
import type { Logger } from '../../lib/log.js';
import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import type { CatalogueOffering } from './recommend.js';
import type { Questionnaire } from './scan.js';
import type { PassportCall, PassportSources } from './sources.js';

/** What lives as long as the passport service. */
export interface PassportService {
  orm: MikroORM;
  databaseKind: DatabaseKind;
  sources: PassportSources;
  logger: Logger;
  /** The ESCO skill hierarchy as far as passports needed it: public and changed only by an ESCO import. */
  skillGroups: Map<string, { code: string | null; label: string; broader: string[] }>;
  /** Each skill's ESCO label and direct groups, as far as recommendations needed them (public). */
  skills: Map<string, { label: string; groups: string[] }>;
  /** The public catalogue of all members, as last read (goals.ts: cached for a few minutes). */
  catalogue: { at: number; offerings: Promise<CatalogueOffering[]> } | null;
  /** Every published questionnaire version (questionnaires/v<N>.json), read once at start. */
  questionnaires: ReadonlyMap<number, Questionnaire>;
  /** The clock (tests hold it still). */
  now(): Date;
  /** Sees every call the service makes to another subgraph (tests and the benchmark count them). */
  observe?: (call: PassportCall) => void;
}

/** What every passport resolver receives: built fresh for each request. */
export interface PassportContext {
  em: SqlEntityManager;
  service: PassportService;
  /** Who is asking, as the hub vouches for it. */
  principal: Principal;
  /** The client's Idempotency-Key header, passed on by the gateway. */
  idempotencyKey: string | null;
}
