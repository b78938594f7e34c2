import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../lib/config.js';
import { parseDatabaseUrl, type DatabaseTarget } from '../../lib/orm.js';

/** The repository root, from this module's location (never the working directory). */
export const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the ESCO service and importer keep their data unless told otherwise. */
export const DEFAULT_ESCO_DATABASE_URL = 'sqlite:data/esco.sqlite';

/**
 * Reads a database URL for the ESCO service or importer; relative SQLite paths
 * resolve against the repository root so both find the same file from any
 * working directory. Bad URLs become ConfigErrors (one line, exit 2).
 */
export function escoDatabaseTarget(url: string, source = 'DATABASE_URL'): DatabaseTarget {
  try {
    return parseDatabaseUrl(url, REPOSITORY_ROOT);
  } catch (error) {
    throw new ConfigError(`${source}: ${(error as Error).message}`);
  }
}
