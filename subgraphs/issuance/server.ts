import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/core';
import { readFileSync } from 'node:fs';
import express, { type Express } from 'express';
import type { HubVerifier } from '../../lib/hub-token.js';
import type { Logger } from '../../lib/log.js';
import type { SqlEntityManager } from '../../lib/orm.js';
import { mountErasureRoute } from '../../lib/erasure.js';
import { startGraphQLServer, type RunningServer } from '../../lib/server.js';
import { credentialSerials, eraseLearner } from './erasure.js';
import { routerAuthoritySource } from './authority.js';
import { CohortJobs, type CohortJobOptions } from './cohort.js';
import { createIssuanceMetrics } from './metrics.js';
import { EDC_VC2_CONTEXT_FILE } from './edc.js';
import { createSealPool } from './seal-pool.js';
import { createVerifyPool } from './verify-pool.js';
import type { IssuanceContext, IssuanceService } from './context.js';
import type { IssuerIdentity } from './issue.js';
import { loadIssuerKeys } from './keys.js';
import { syncRegister, TrustRegister, type RegisterMember } from './register.js';
import { createVerificationValidator } from './schemas.js';
import { buildIssuanceSchema } from './schema.js';
import { VC_JWT_MEDIA_TYPE } from './seal.js';
import type { FactSources } from './sources.js';
import { StatusLists, STATUS_PURPOSES, type StatusPurpose } from './statuses.js';
import { watchCorrections } from './corrections.js';
import { mountVerificationPage } from './verification-page.js';
import { NotACredential, verifyCredential } from './verify.js';
import { mountWalletRoutes, WALLET_AUTHORIZED_PREFIXES, WALLET_PUBLIC_PREFIXES } from './wallet-routes.js';

/*
 * The issuance service: the GraphQL subgraph (hub tokens only) and the public
 * HTTP routes a verifier needs without an account - the issuer's key set, the
 * status lists and POST /credentials/verify. The gateway passes these routes
 * through, so their URLs (in every credential) are the hub's public ones.
 */

/** Public routes, relative to the hub's public URL. */
export const ISSUANCE_ROUTES = {
  jwks: '/issuers/eciu/jwks.json',
  /** The credentials' JSON-LD context (edc.ts edcContextUrl: under the issuer's id). */
  context: `/issuers/eciu/contexts/${EDC_VC2_CONTEXT_FILE}`,
  statusLists: '/credentials/status',
  verify: '/credentials/verify',
} as const;

/** Path prefixes the gateway passes through to the issuance service (the wallet ones: wallet-routes.ts). */
export const ISSUANCE_PUBLIC_PREFIXES = ['/issuers/', '/credentials/', ...WALLET_PUBLIC_PREFIXES] as const;
/** Prefixes whose routes take the wallet's own access token (OID4VCI): passed through with it, unread. */
export const ISSUANCE_WALLET_PREFIXES = WALLET_AUTHORIZED_PREFIXES;

/**
 * The alliance as issuer, with its URLs under the hub's public URL (e.g.
 * https://hub.eciu.eu). ELM wants an ISO country for an organisation: the
 * alliance's foundation is seated in the Netherlands (ISSUER_COUNTRY changes it).
 */
export function allianceIssuer(publicUrl: string, country = 'NL', legalIdentifier: string | null = null): IssuerIdentity {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    id: `${base}/issuers/eciu`,
    name: 'ECIU University',
    country,
    homepage: 'https://www.eciu.eu',
    statusBaseUrl: `${base}${ISSUANCE_ROUTES.statusLists}`,
    publicUrl: base,
    legalIdentifier,
  };
}

export interface IssuanceServiceOptions {
  orm: MikroORM;
  /** Folder of the issuing keys (created on first start when `createKeys`). */
  keysDir: string;
  createKeys: boolean;
  issuer: IssuerIdentity;
  sources: FactSources;
  /** Members to list in the register of trusted issuers. */
  members: readonly RegisterMember[];
  /** Folder of the published W3C and EBSI JSON Schemas (default ../shared/credentials). */
  schemasDir?: string;
  logger: Logger;
  /** Worker threads that write and seal bulk batches on other cores (0: inline). */
  sealWorkers?: number;
  /** Worker threads that check signatures and schemas of vc+jwt credentials being verified (0: inline). */
  verifyWorkers?: number;
  /** How often members' corrections of achievements are read (default 30 s; 0: only on demand). */
  correctionPollMs?: number;
  /** Leases and sweep of cohort jobs shared by the replicas over one database (cohort.ts; tests shorten them). */
  cohortJobs?: CohortJobOptions;
}

/** Loads the keys, brings the register up to date and compiles the schemas: everything a request needs. */
export async function createIssuanceService(options: IssuanceServiceOptions): Promise<IssuanceService> {
  const keys = await loadIssuerKeys(options.keysDir, { create: options.createKeys });
  await syncRegister(options.orm, options.issuer, keys, options.members);
  const statuses = new StatusLists(options.orm, options.issuer, keys);
  const pool = options.sealWorkers ? createSealPool(options.sealWorkers, { privateKeyPath: keys.privateKeyPath, kid: keys.current.kid }) : undefined;
  const issuance = { sources: options.sources, keys, issuer: options.issuer, ...(pool ? { pool } : {}) };
  // The workers get the same public keys and schemas as the inline path (the key ring is fixed while the service runs).
  const validator = createVerificationValidator(options.schemasDir);
  // Compiled now rather than on the first credential; when the files are missing the operator hears where they were looked for.
  if (!validator.prepare()) options.logger.warn('credential schemas not installed: verification reports its schema check as not run', { detail: validator.validate({}).errors.join('; ') });
  const verifyPool = options.verifyWorkers ? createVerifyPool(options.verifyWorkers, { jwks: [...keys.jwks.keys], ...(options.schemasDir ? { schemasDir: options.schemasDir } : {}) }) : undefined;
  const corrections = watchCorrections({ orm: options.orm, sources: options.sources, statuses, logger: options.logger, intervalMs: options.correctionPollMs ?? 30_000 });
  const cohorts = new CohortJobs(() => options.orm.em.fork() as SqlEntityManager, issuance, options.logger, undefined, options.cohortJobs);
  return {
    orm: options.orm,
    statuses,
    issuance,
    corrections,
    cohorts,
    verification: {
      register: new TrustRegister(options.orm),
      keys,
      issuer: options.issuer,
      statuses,
      validator,
      authority: routerAuthoritySource(options.sources),
      ...(verifyPool ? { pool: verifyPool } : {}),
    },
    async close() {
      corrections.stop();
      // Before the seal pool closes: a job's page in hand is stored and recorded, then its lease handed back.
      await cohorts.stop();
      await Promise.all([pool?.close(), verifyPool?.close()]);
    },
  };
}

export interface IssuanceServerOptions {
  service: IssuanceService;
  logger: Logger;
  port?: number;
  host?: string;
  plugins?: ApolloServerPlugin<IssuanceContext>[];
  /** Verifies hub-internal tokens (audience "issuance"); null only in in-process tests. */
  hubAuth: HubVerifier | null;
}

function refuse(response: express.Response, status: number, message: string, code: string): void {
  response.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** The context file as shipped (read once: it is part of the code, and versioned by its name). */
export function readEdcContext(): string {
  return readFileSync(new URL(`./contexts/${EDC_VC2_CONTEXT_FILE}`, import.meta.url), 'utf8');
}

function mountPublicRoutes(app: Express, service: IssuanceService): void {
  app.get(ISSUANCE_ROUTES.jwks, (_request, response) => {
    response.setHeader('cache-control', 'public, max-age=300');
    response.json(service.issuance.keys.jwks);
  });
  const context = readEdcContext();
  app.get(ISSUANCE_ROUTES.context, (_request, response) => {
    // A new version gets a new name, so this one never changes: JSON-LD processors may cache it for good.
    response.setHeader('cache-control', 'public, max-age=31536000, immutable');
    response.type('application/ld+json').send(context);
  });
  app.get(`${ISSUANCE_ROUTES.statusLists}/:purpose/:list`, async (request, response, next) => {
    const purpose = request.params['purpose'] as StatusPurpose;
    const list = Number(request.params['list']);
    const missing = () => refuse(response, 404, 'No such status list: the path is /credentials/status/<revocation|suspension>/<list number>.', 'NOT_FOUND');
    if (!STATUS_PURPOSES.includes(purpose) || !/^\d{1,9}$/.test(String(request.params['list']))) {
      missing();
      return;
    }
    try {
      // Only lists that hold credentials exist (StatusLists says which, without a query per number asked).
      const sealed = await service.statuses.sealedList(purpose, list);
      if (sealed === null) {
        missing();
        return;
      }
      // Verifiers must see a change at once: no caching by intermediaries.
      response.setHeader('cache-control', 'no-cache');
      response.type(VC_JWT_MEDIA_TYPE).send(sealed);
    } catch (error) {
      next(error);
    }
  });
  app.post(
    ISSUANCE_ROUTES.verify,
    express.json({ limit: '2mb', type: ['application/json', 'application/ld+json'] }),
    express.text({ limit: '2mb', type: [VC_JWT_MEDIA_TYPE, 'text/plain'] }),
    async (request, response, next) => {
      // VC-API style: { "verifiableCredential": <vc+jwt string or JAdES JSON> }, or the vc+jwt as the body.
      const body: unknown = request.body;
      const credential = typeof body === 'string' ? body : body && typeof body === 'object' ? (body as { verifiableCredential?: unknown }).verifiableCredential : undefined;
      if (credential === undefined || credential === null || credential === '') {
        refuse(response, 400, 'Send {"verifiableCredential": <vc+jwt or JAdES JSON>} as application/json, or the vc+jwt as application/vc+jwt.', 'BAD_REQUEST');
        return;
      }
      try {
        const result = await verifyCredential(credential, service.verification);
        response.json({
          verified: result.verified,
          format: result.format,
          credentialId: result.credentialId,
          issuer: result.issuer,
          checks: result.checks,
          errors: result.checks.filter((check) => !check.passed).map((check) => `${check.check}: ${check.reason}`),
        });
      } catch (error) {
        if (error instanceof NotACredential) {
          refuse(response, 422, `This is not a credential the hub can read: ${error.message}.`, 'UNPROCESSABLE_CREDENTIAL');
          return;
        }
        // jsonErrorHandler logs it and answers 500 without details.
        next(error);
      }
    },
  );
}

export async function startIssuanceServer(options: IssuanceServerOptions): Promise<RunningServer> {
  const { service } = options;
  const server = await startGraphQLServer<IssuanceContext>({
    name: 'issuance',
    orm: service.orm,
    metrics: createIssuanceMetrics(service.cohorts),
    schema: await buildIssuanceSchema(),
    logger: options.logger,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.plugins ? { plugins: options.plugins } : {}),
    hubAuth: options.hubAuth ? { verifier: options.hubAuth, audience: 'issuance' } : null,
    routes: (app) => {
      mountPublicRoutes(app, service);
      mountWalletRoutes(app, service);
      mountVerificationPage(app, service);
      const verifier = options.hubAuth;
      if (verifier) {
        mountErasureRoute(app, {
          audience: 'issuance',
          verifier,
          logger: options.logger,
          async erase(learnerId, erasure) {
            const serials = await credentialSerials(service.orm.em.fork() as SqlEntityManager, learnerId);
            const counts = await eraseLearner(service.orm.em.fork() as SqlEntityManager, learnerId, erasure);
            // Revocations are seen by the next verification and list download.
            for (const serial of serials) service.statuses.invalidate(serial);
            return counts;
          },
        });
      }
    },
    context: async (request, principal) => {
      const header = request.headers['idempotency-key'];
      return {
        em: service.orm.em.fork() as SqlEntityManager,
        service,
        principal,
        idempotencyKey: typeof header === 'string' ? header : null,
      };
    },
    readiness: async () => {
      await service.orm.em.getConnection().execute('select 1');
    },
  });
  // A serving replica also carries on cohort jobs other replicas left (their leases ran out), until it stops.
  service.cohorts.startSweep();
  return {
    ...server,
    async stop() {
      await service.cohorts.stop();
      await server.stop();
    },
  };
}
