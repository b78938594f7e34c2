import type { DatabaseKind, SqlEntityManager } from '../../lib/orm.js';
import type { EscoLoaders } from './loaders.js';

/** What every ESCO resolver receives: built fresh for each request. */
export interface EscoContext {
  em: SqlEntityManager;
  databaseKind: DatabaseKind;
  loaders: EscoLoaders;
}
