import pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';
import { ConfigError, type Env } from './config.js';
import type { Logger } from './log.js';
import { budgetOf, createRateLimiter, type RateLimiter } from './rate-limit.js';

/*
 * State that replicas of one service must share, or each replica would keep
 * its own: request and cost budgets (two gateways would double every limit)
 * and the hub tokens already used (a token refused as replayed at one replica
 * of a subgraph would be accepted at the other).
 *
 * Two stores. In memory (the default, and the embedded `npm start`): one
 * process, nothing to set up, exactly as before. In PostgreSQL
 * (`SHARED_STATE_URL`): the database a deployment already runs for its
 * subgraphs, so scaling out adds no new system to operate, back up or secure
 * (Redis would have been as good a store, but one more service to run). Budgets
 * use rate-limiter-flexible's PostgreSQL limiter (one atomic upsert per
 * request, fixed one-minute windows); token uses are one `INSERT … ON CONFLICT
 * DO NOTHING` per hub token.
 *
 * When PostgreSQL does not answer, each replica falls back to its own memory
 * (rate-limiter-flexible's insurance limiter; the token check likewise) and
 * says so in the log: the hub keeps serving with per-replica limits rather
 * than refusing everyone because a counter is unreachable.
 */

/** A budget of units per minute per key, shared by whoever shares the store (lib/rate-limit.ts). */
export type SharedLimiter = RateLimiter;

/** Single use of token ids, shared by the replicas of one service. */
export interface TokenUses {
  /** True the first time `id` is presented; false when it was used before. `expiresAt`: ms, when it may be forgotten. */
  firstUse(id: string, expiresAt: number): Promise<boolean>;
}

export interface SharedState {
  /** For logs and /readyz: where the state lives. */
  readonly store: 'memory' | 'postgresql';
  /** The budget `name` (distinct names are distinct budgets) of `perMinute` units. */
  limiter(name: string, perMinute: number): SharedLimiter;
  /** The used token ids of one audience. */
  tokenUses(audience: string): TokenUses;
  close(): Promise<void>;
}

/** Token ids in a Map, forgotten once expired (swept at most every 10 s). */
export function memoryTokenUses(): TokenUses {
  const seen = new Map<string, number>();
  let lastSweep = Date.now();
  return {
    async firstUse(id, expiresAt) {
      const now = Date.now();
      if (now - lastSweep > 10_000) {
        for (const [key, expires] of seen) if (expires < now) seen.delete(key);
        lastSweep = now;
      }
      if (seen.has(id)) return false;
      seen.set(id, expiresAt);
      return true;
    },
  };
}

/** This process's memory: one replica, zero set-up (the embedded default). */
export function memorySharedState(): SharedState {
  return {
    store: 'memory',
    limiter: (name, perMinute) => createRateLimiter(perMinute, name),
    tokenUses: () => memoryTokenUses(),
    close: async () => undefined,
  };
}

/** Names of what this module keeps, so an operator finds them in the database. */
const BUDGET_TABLE = 'hub_shared_budget';
const TOKEN_TABLE = 'hub_shared_token_use';

/**
 * State in PostgreSQL at `url`. Checks the connection and creates its two
 * tables (if absent) before it returns: a wrong URL stops the start with one line.
 */
export async function postgresSharedState(url: string, logger: Logger): Promise<SharedState> {
  const pool = new pg.Pool({ connectionString: url, max: 8, connectionTimeoutMillis: 2_000, idleTimeoutMillis: 30_000 });
  // A connection lost while idle must not crash the process; queries on it fail and fall back.
  pool.on('error', (error) => logger.warn('shared state: a PostgreSQL connection failed', { reason: error.message }));
  try {
    await pool.query(`CREATE TABLE IF NOT EXISTS ${TOKEN_TABLE} (audience varchar(64) NOT NULL, id varchar(128) NOT NULL, expires_at bigint NOT NULL, PRIMARY KEY (audience, id))`);
    await pool.query(`CREATE TABLE IF NOT EXISTS ${BUDGET_TABLE} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new ConfigError(`SHARED_STATE_URL: PostgreSQL cannot be used (${(error as Error).message}). Check the URL and that the database accepts connections.`);
  }
  let warned = 0;
  /** One warning a minute while the store fails, not one per request. */
  const fellBack = (what: string, error: unknown) => {
    if (Date.now() - warned < 60_000) return;
    warned = Date.now();
    logger.warn(`shared state: PostgreSQL did not answer; ${what} counted by this replica alone meanwhile`, { reason: (error as Error)?.message ?? String(error) });
  };
  const sweep = setInterval(() => {
    pool.query(`DELETE FROM ${TOKEN_TABLE} WHERE expires_at < $1`, [Date.now()]).catch(() => undefined);
  }, 60_000);
  sweep.unref();
  return {
    store: 'postgresql',
    limiter(name, perMinute) {
      const counter = new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName: BUDGET_TABLE,
        tableCreated: true,
        keyPrefix: name,
        points: perMinute,
        duration: 60,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points: perMinute, duration: 60 }),
      });
      return budgetOf(counter, perMinute, (error) => fellBack('budgets are', error));
    },
    tokenUses(audience) {
      const local = memoryTokenUses();
      return {
        async firstUse(id, expiresAt) {
          try {
            const result = await pool.query(`INSERT INTO ${TOKEN_TABLE} (audience, id, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [audience, id, expiresAt]);
            // Kept locally too, so the fallback still knows what this replica saw.
            await local.firstUse(id, expiresAt);
            return result.rowCount === 1;
          } catch (error) {
            fellBack('hub token uses are', error);
            return local.firstUse(id, expiresAt);
          }
        },
      };
    },
    async close() {
      clearInterval(sweep);
      await pool.end();
    },
  };
}

export const SHARED_STATE_HELP = `  SHARED_STATE_URL              PostgreSQL URL where replicas share rate limits, cost budgets and
                                used hub tokens (postgresql://user@host:5432/db); default: this
                                process's memory (one replica)
`;

/** SHARED_STATE_URL's store, or memory when unset. */
export async function sharedStateFromEnv(env: Env, logger: Logger): Promise<SharedState> {
  const url = env['SHARED_STATE_URL']?.trim();
  if (!url) return memorySharedState();
  if (!/^postgres(ql)?:\/\//.test(url)) throw new ConfigError('SHARED_STATE_URL must be a postgresql:// URL.');
  return postgresSharedState(url, logger);
}
