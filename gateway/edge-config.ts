import { parseTrustedProxies } from '../lib/client-address.js';
import { ConfigError, readInt, readString, type Env } from '../lib/config.js';
import type { MetricsAccess } from '../lib/metrics.js';
import { DEFAULT_MAX_RESULT_ITEMS } from '../lib/result-size.js';
import { DEFAULT_ADMISSION } from './admission.js';
import type { GatewayOptions } from './gateway.js';
import { readSafelist } from './safelist.js';

/*
 * The gateway's security settings from the environment, read in one place
 * for every way the gateway starts: alone (`npm run gateway`, the container)
 * and inside the embedded default (`npm start`). A variable documented here
 * takes effect in both, or in neither.
 */

/** What the edge settings decide; the rest of GatewayOptions is wiring. */
export type EdgeSettings = Pick<GatewayOptions, 'production' | 'corsOrigins' | 'rateLimitPerMinute' | 'trustedProxies' | 'maxResultItems' | 'safelist' | 'admission' | 'metricsAccess' | 'drain'>;

/** The `--help` lines of the variables `readEdgeSettings` reads. */
export const EDGE_HELP = `  NODE_ENV=production           no introspection, no schema hints in errors, no GraphQL IDE
                                (otherwise GET /graphql in a browser opens GraphiQL, bundled: no CDN)
  CORS_ORIGINS                  comma-separated browser origins allowed to call (default: none)
  RATE_LIMIT_PER_MINUTE         requests per minute per caller          default 600
  TRUSTED_PROXIES               proxies whose X-Forwarded-For names the client: addresses, CIDR
                                ranges, loopback, linklocal, uniquelocal (comma-separated);
                                default none (the peer's address is the client's)
  MAX_RESULT_ITEMS              most objects one query may return, page sizes (first)
                                multiplied through nesting              default ${DEFAULT_MAX_RESULT_ITEMS}
  SAFELIST_FILE                 the portal's persisted query manifest (JSON, as written by
                                @apollo/generate-persisted-query-manifest): only its operations
                                run, sent by hash or as their exact text (default: any operation)
  SHUTDOWN_DELAY_SECONDS        at a stop, /readyz answers 503 at least this long while the
                                gateway keeps serving (for load balancers that poll readiness);
                                the drain also lasts until no connection waits to be read  default 0
  METRICS_TOKEN                 GET /metrics (Prometheus) needs "Authorization: Bearer <token>";
                                at least 16 characters. Without it /metrics is open in
                                development and not served with NODE_ENV=production
Cost-aware admission (a query's cost: the objects it may return, as for MAX_RESULT_ITEMS;
a caller: the token's subject, or the client's address when anonymous; 0 turns a gate off):
  COST_BUDGET_PER_MINUTE        cost one caller may spend per minute   default ${DEFAULT_ADMISSION.costPerMinute}
  MAX_IN_FLIGHT_COST            cost one caller may have running or waiting at once (one query
                                is always admitted when none of its own runs)  default ${DEFAULT_ADMISSION.maxInFlightCost}
  MAX_CONCURRENT_OPERATIONS     operations running at once over all callers; more wait, served
                                round-robin between callers             default ${DEFAULT_ADMISSION.maxConcurrent}
  MAX_QUEUED_PER_CALLER         operations one caller may have waiting  default ${DEFAULT_ADMISSION.maxQueuedPerCaller}
  QUEUE_TIMEOUT_MS              longest wait for a slot (then 503)      default ${DEFAULT_ADMISSION.queueTimeoutMs}
`;

/**
 * Reads and checks the edge settings; a bad value (or an unreadable safelist)
 * is a ConfigError naming the variable, before any port is opened.
 */
export function readEdgeSettings(env: Env): EdgeSettings {
  const safelistFile = env['SAFELIST_FILE']?.trim();
  const production = env['NODE_ENV'] === 'production';
  return {
    production,
    metricsAccess: readMetricsAccess(env, production),
    corsOrigins: (env['CORS_ORIGINS'] ?? '').split(',').map((origin) => origin.trim()).filter(Boolean),
    rateLimitPerMinute: readInt(env, 'RATE_LIMIT_PER_MINUTE', 600, { min: 1, max: 1_000_000 }),
    trustedProxies: parseTrustedProxies(env['TRUSTED_PROXIES']),
    drain: { minimumMs: readInt(env, 'SHUTDOWN_DELAY_SECONDS', 0, { min: 0, max: 600 }) * 1000 },
    maxResultItems: readInt(env, 'MAX_RESULT_ITEMS', DEFAULT_MAX_RESULT_ITEMS, { min: 1, max: 100_000_000 }),
    ...(safelistFile ? { safelist: readSafelist(readString(env, 'SAFELIST_FILE')) } : {}),
    admission: {
      costPerMinute: readInt(env, 'COST_BUDGET_PER_MINUTE', DEFAULT_ADMISSION.costPerMinute, { min: 0, max: 1_000_000_000 }),
      maxInFlightCost: readInt(env, 'MAX_IN_FLIGHT_COST', DEFAULT_ADMISSION.maxInFlightCost, { min: 0, max: 1_000_000_000 }),
      maxConcurrent: readInt(env, 'MAX_CONCURRENT_OPERATIONS', DEFAULT_ADMISSION.maxConcurrent, { min: 0, max: 100_000 }),
      maxQueuedPerCaller: readInt(env, 'MAX_QUEUED_PER_CALLER', DEFAULT_ADMISSION.maxQueuedPerCaller, { min: 0, max: 100_000 }),
      queueTimeoutMs: readInt(env, 'QUEUE_TIMEOUT_MS', DEFAULT_ADMISSION.queueTimeoutMs, { min: 1, max: 600_000 }),
    },
  };
}

/**
 * Who may read the gateway's /metrics. The gateway is the public edge: its
 * figures (operations, members, error rates) are the operator's, so in
 * production they are served only behind a token.
 */
export function readMetricsAccess(env: Env, production: boolean): MetricsAccess {
  const token = env['METRICS_TOKEN']?.trim();
  if (token) {
    if (token.length < 16) throw new ConfigError('METRICS_TOKEN must be at least 16 characters (a random secret, e.g. openssl rand -hex 16).');
    return { kind: 'token', token };
  }
  return production ? { kind: 'off' } : { kind: 'open' };
}
