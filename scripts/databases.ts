import type { EntitySchema } from '@mikro-orm/core';
import type { MigrationSet } from '../lib/orm.js';
import { escoEntities } from '../subgraphs/esco/database.js';
import { escoMigrations } from '../subgraphs/esco/migrations/index.js';
import { memberEntities } from '../subgraphs/member/database.js';
import { memberMigrations } from '../subgraphs/member/migrations/index.js';
import { learnersEntities } from '../subgraphs/learners/database.js';
import { learnersMigrations } from '../subgraphs/learners/migrations/index.js';
import { issuanceEntities } from '../subgraphs/issuance/database.js';
import { issuanceMigrations } from '../subgraphs/issuance/migrations/index.js';
import { recognitionEntities } from '../subgraphs/recognition/database.js';
import { recognitionMigrations } from '../subgraphs/recognition/migrations/index.js';
import { passportEntities } from '../subgraphs/passport/database.js';
import { passportMigrations } from '../subgraphs/passport/migrations/index.js';
import { analyticsEntities } from '../subgraphs/analytics/database.js';
import { analyticsMigrations } from '../subgraphs/analytics/migrations/index.js';

export interface SubgraphDatabase {
  entities: EntitySchema[];
  migrations: MigrationSet;
  /** Name of the export in the subgraph's migrations/index.ts. */
  exportName: string;
}

/** Every subgraph that owns a database, for the migration tool and the migration tests. */
export const subgraphDatabases: Record<string, SubgraphDatabase> = {
  member: { entities: memberEntities, migrations: memberMigrations, exportName: 'memberMigrations' },
  esco: { entities: escoEntities, migrations: escoMigrations, exportName: 'escoMigrations' },
  learners: { entities: learnersEntities, migrations: learnersMigrations, exportName: 'learnersMigrations' },
  issuance: { entities: issuanceEntities, migrations: issuanceMigrations, exportName: 'issuanceMigrations' },
  recognition: { entities: recognitionEntities, migrations: recognitionMigrations, exportName: 'recognitionMigrations' },
  passport: { entities: passportEntities, migrations: passportMigrations, exportName: 'passportMigrations' },
  analytics: { entities: analyticsEntities, migrations: analyticsMigrations, exportName: 'analyticsMigrations' },
};
