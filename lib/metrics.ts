import { timingSafeEqual } from 'node:crypto';
import type { Express } from 'express';
import type { MikroORM } from '@mikro-orm/core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/*
 * Prometheus metrics, one registry per service (prom-client's default
 * registry is process-wide state; the embedded hub runs twenty services in one
 * process, each with its own /metrics). Label values are bounded: operation
 * names come from clients, so only the first MAX_OPERATIONS distinct names get
 * their own series and the rest share "other" — a client inventing names
 * cannot grow the scrape without bound.
 */

const MAX_OPERATIONS = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
/** Request latencies from 1 ms (a kept catalogue answer) to the 30 s background deadline. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export type CallOutcome = 'ok' | 'error' | 'timeout';

export interface ServiceMetrics {
  registry: Registry;
  /** Every HTTP request by route (mount path) and status. */
  httpRequests: Counter<'route' | 'status'>;
  /** GraphQL requests by operation and outcome: ok, error (answered with errors), refused (4xx), failed (5xx). */
  graphqlDuration: Histogram<'operation' | 'outcome'>;
  /** Calls this service makes to another (a subgraph, a member), by target and outcome. */
  upstreamDuration: Histogram<'target' | 'outcome'>;
  /** Requests refused, by reason (the error code the client got). */
  refused: Counter<'reason'>;
  /** Lookups in a cache this service keeps (the router's public catalogue…), by cache and result. */
  cacheLookups: Counter<'cache' | 'result'>;
  /** The label an operation name gets (bounded; see above). */
  operationLabel(name: string | undefined): string;
  /** Reports the pool of a MikroORM instance as `hub_db_pool_connections{database}` at every scrape. */
  watchDatabase(orm: MikroORM, database: string): void;
}

/** What knex's pool (tarn) tells about its connections. */
interface Pool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

function poolOf(orm: MikroORM): Pool | undefined {
  const connection = orm.em.getConnection() as unknown as { getKnex?: () => { client?: { pool?: Pool } } };
  return connection.getKnex?.().client?.pool;
}

export interface ServiceMetricsOptions {
  /**
   * Process-wide figures (CPU, memory, GC, event-loop lag) in this registry too.
   * Off for services that share a process with one that has them.
   */
  processMetrics?: boolean;
}

export function createServiceMetrics(service: string, options: ServiceMetricsOptions = {}): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const operations = new Set<string>();
  const databases: { database: string; orm: MikroORM }[] = [];
  new Gauge({
    name: 'hub_db_pool_connections',
    help: 'Database pool connections by database and state (used, free, pending: callers waiting for one).',
    labelNames: ['database', 'state'],
    registers: [registry],
    collect() {
      for (const { database, orm } of databases) {
        const pool = poolOf(orm);
        if (!pool) continue;
        this.set({ database, state: 'used' }, pool.numUsed());
        this.set({ database, state: 'free' }, pool.numFree());
        this.set({ database, state: 'pending' }, pool.numPendingAcquires());
      }
    },
  });
  return {
    registry,
    httpRequests: new Counter({ name: 'hub_http_requests_total', help: 'HTTP requests by route and status.', labelNames: ['route', 'status'], registers: [registry] }),
    graphqlDuration: new Histogram({
      name: 'hub_graphql_request_duration_seconds',
      help: 'GraphQL requests by operation name and outcome (ok, error, refused, failed).',
      labelNames: ['operation', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    upstreamDuration: new Histogram({
      name: 'hub_upstream_request_duration_seconds',
      help: 'Calls to subgraphs and members by target and outcome (ok, error, timeout).',
      labelNames: ['target', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    refused: new Counter({ name: 'hub_refused_requests_total', help: 'Requests refused, by the error code the client got (rate limit, budget, token, limits…).', labelNames: ['reason'], registers: [registry] }),
    cacheLookups: new Counter({ name: 'hub_cache_lookups_total', help: 'Cache lookups by cache and result (hit, miss, shared: waited for a concurrent miss).', labelNames: ['cache', 'result'], registers: [registry] }),
    operationLabel(name) {
      if (!name) return 'anonymous';
      if (!OPERATION_NAME.test(name)) return 'other';
      if (operations.has(name)) return name;
      if (operations.size >= MAX_OPERATIONS) return 'other';
      operations.add(name);
      return name;
    },
    watchDatabase(orm, database) {
      databases.push({ database, orm });
    },
  };
}

export const METRICS_PATH = '/metrics';

/** Who may read /metrics: anyone (internal ports), only with a bearer token, or nobody (not served). */
export type MetricsAccess = { kind: 'open' } | { kind: 'token'; token: string } | { kind: 'off' };

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Serves the registry in Prometheus' text format at /metrics under the access rule. */
export function mountMetrics(app: Express, metrics: ServiceMetrics, access: MetricsAccess = { kind: 'open' }): void {
  if (access.kind === 'off') return;
  app.get(METRICS_PATH, async (request, response) => {
    if (access.kind === 'token') {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7) : '';
      if (!sameSecret(given, access.token)) {
        response.status(401).setHeader('WWW-Authenticate', 'Bearer');
        response.json({ errors: [{ message: 'Metrics need the METRICS_TOKEN as a bearer token.', extensions: { code: 'UNAUTHENTICATED' } }] });
        return;
      }
    }
    response.setHeader('content-type', metrics.registry.contentType);
    response.setHeader('cache-control', 'no-store');
    response.end(await metrics.registry.metrics());
  });
}
