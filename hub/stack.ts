import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/core';
import { join } from 'node:path';
import { startGateway, subgraphEndpoints } from '../gateway/gateway.js';
import { readSupergraph } from '../gateway/supergraph.js';
import type { EdgeSettings } from '../gateway/edge-config.js';
import { ensureHubSigner, localHubVerifier, type HubSigner } from '../lib/hub-token.js';
import type { Logger, LoggerOptions } from '../lib/log.js';
import { parseDatabaseUrl, type DatabaseTarget } from '../lib/orm.js';
import { freePort, type RunningServer } from '../lib/server.js';
import { ensureEscoData } from '../subgraphs/esco/curated.js';
import { openEscoDatabase } from '../subgraphs/esco/database.js';
import { startEscoServer } from '../subgraphs/esco/server.js';
import { openLearnersDatabase } from '../subgraphs/learners/database.js';
import { startLearnersServer, type LearnersServerOptions } from '../subgraphs/learners/server.js';
import { memberErasureTargets } from '../subgraphs/learners/erasure-outbox.js';
import type { ErasureTarget } from '../lib/erasure.js';
import type { IssuanceService } from '../subgraphs/issuance/context.js';
import { openIssuanceDatabase } from '../subgraphs/issuance/database.js';
import { allianceIssuer, createIssuanceService, startIssuanceServer } from '../subgraphs/issuance/server.js';
import type { FactSources } from '../subgraphs/issuance/sources.js';
import { analyticsPassThrough, issuancePassThrough } from '../gateway/wiring.js';
import { devIdpSignInConfig, mountDevIdpSignIn } from './dev-idp-sign-in.js';
import { createHttpClient } from '../lib/http-client.js';
import { openMemberDatabase } from '../subgraphs/member/database.js';
import { buildMemberSchema } from '../subgraphs/member/schema.js';
import { startMemberServer } from '../subgraphs/member/server.js';
import type { RecognitionService } from '../subgraphs/recognition/context.js';
import { openRecognitionDatabase } from '../subgraphs/recognition/database.js';
import { createRecognitionService, startRecognitionServer } from '../subgraphs/recognition/server.js';
import type { AnalyticsService } from '../subgraphs/analytics/context.js';
import { openAnalyticsDatabase } from '../subgraphs/analytics/database.js';
import { createAnalyticsService, startAnalyticsServer } from '../subgraphs/analytics/server.js';
import type { PassportService } from '../subgraphs/passport/context.js';
import { openPassportDatabase } from '../subgraphs/passport/database.js';
import { createPassportService, startPassportServer } from '../subgraphs/passport/server.js';
import { parseRegistry, type MemberEntry, type Registry } from '../subgraphs/members/registry.js';
import { createRegistryHolder, memberIdsOf, openLiveRegistry, type LiveRegistry, type RegistryReload } from '../subgraphs/members/registry-watch.js';
import { followMemberRegistry } from '../subgraphs/issuance/register.js';
import { createSqliteReadPool } from '../lib/sqlite-reads.js';
import type { CatalogueCache } from '../subgraphs/members/public-cache.js';
import { startMemberRouter } from '../subgraphs/members/server.js';
import { ALLIANCE_MEMBERS, memberProfile, type MemberProfile } from './alliance.js';
import { devIdpProfile, ensureDevIdp, type DevIdp } from './dev-idp.js';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { memberIsSeeded, seedDemo, type SeedProgress } from './seed.js';
import { startMemberThread } from './member-thread.js';

/*
 * The whole hub in one process: 13 member subgraphs, the member router, the
 * ESCO and learners subgraphs and the gateway, each on its own port with its
 * own database. `npm start` uses it with fixed ports and SQLite files under
 * data/; the end-to-end tests use it with free ports and temporary databases.
 */

export interface HubOptions {
  logger: Logger;
  /** Folder for the SQLite files of the embedded default. */
  dataDir: string;
  /** Number of demo learners to seed on first start. */
  learners: number;
  /** Registry of the embedded default; its endpoint ports are where members listen. Without it, members take free ports. */
  registry?: Registry;
  /**
   * The file `registry` was read from (npm start: MEMBER_REGISTRY). Watched, and re-read by
   * `reloadRegistry` (SIGHUP): from its first change the router, the learner register,
   * recognition and issuance's register of trusted issuers follow the file, so a member that
   * runs its own subgraph joins (or one leaves) without a restart.
   */
  registryFile?: string;
  /** Per-member deadline when the registry is built here. */
  memberTimeoutMs?: number;
  /** Database URL per member id, esco and learners (default: SQLite files in dataDir). */
  databaseUrl?: (service: string) => string | undefined;
  ports?: { gateway?: number; members?: number; esco?: number; learners?: number; issuance?: number; recognition?: number; passport?: number; analytics?: number };
  /** The hub's public URL, named in every credential (default: the gateway's own address). */
  publicUrl?: string;
  host?: string;
  /** Observes the requests a member receives (tests assert routing with it). */
  memberPlugins?: (memberId: string) => ApolloServerPlugin<BaseContext>[];
  gatewayTimeoutMs?: number;
  onProgress?: (message: string) => void;
  production?: boolean;
  /** Origins allowed to call the gateway from a browser. */
  corsOrigins?: string[];
  rateLimitPerMinute?: number;
  /** The gateway's security settings as `npm run gateway` reads them (gateway/edge-config.ts); they win over the three above. */
  edge?: EdgeSettings;
  /** k of the analytics service's k-anonymity (default 5, never below 3). */
  analyticsK?: number;
  /** Build the analytics publications at start and in the background (subgraphs/analytics/standing.ts); npm start does, tests mostly not. */
  analyticsWarm?: boolean;
  /**
   * The member subgraphs on a thread of their own (hub/member-thread.ts), with a logger of these settings:
   * npm start uses both cores so; tests keep them in-process, where plugins and clocks can reach them.
   */
  memberThread?: { log: Omit<LoggerOptions, 'write'> };
  /** How long the member router keeps members' public catalogue answers (default 10 s; 0: none). */
  catalogueCacheMs?: number;
  /** The members' clock (default: the system's). Tests fix it so that the demo data's enrolment deadlines stay open. */
  memberClock?: () => Date;
  /** The erasure outbox's timing (tests retry fast). */
  erasure?: Partial<Pick<NonNullable<LearnersServerOptions['erasure']>, 'timeoutMs' | 'retryBaseMs' | 'retryMaxMs' | 'pollMs'>>;
}

export interface RunningMember {
  id: string;
  url: string;
  /** Stops this member only (to show partial failure); the rest of the hub keeps running. */
  stop(): Promise<void>;
  /** Starts it again on the same port and database (a member coming back). */
  restart(): Promise<void>;
}

export interface RunningHub {
  gatewayUrl: string;
  readyUrl: string;
  urls: { members: string; esco: string; learners: string; issuance: string; recognition: string; passport: string; analytics: string };
  /** The hub's public URL (the gateway's address unless configured): credentials name it. */
  publicUrl: string;
  members: Map<string, RunningMember>;
  /** The central subgraphs, each stoppable on its own (tests show partial failure with it). */
  central: Record<'members' | 'esco' | 'learners' | 'issuance' | 'recognition' | 'passport' | 'analytics', RunningServer>;
  /** The member registry in use (it follows `registryFile` when one was given). */
  readonly registry: Registry;
  /** Re-reads `registryFile` now (npm start's SIGHUP); without one, says so. */
  reloadRegistry(trigger?: string): Promise<RegistryReload>;
  /** How many demo learners the databases hold (may differ from the option when seeded earlier). */
  demoLearners: number;
  /** The development identity provider whose tokens the gateway accepts. */
  idp: DevIdp;
  /** Signs hub-internal tokens (tests use it to call a subgraph as the hub would). */
  hubSigner: HubSigner;
  /** The issuance service's state (keys, cohort jobs), for tests that must hold a moment still. */
  issuanceService: IssuanceService;
  /** The recognition service (tests observe the calls it makes to other subgraphs). */
  recognitionService: RecognitionService;
  /** The passport service (tests and the benchmark count the calls it makes). */
  passportService: PassportService;
  /** The analytics service (tests count its calls and hold its clock). */
  analyticsService: AnalyticsService;
  /** The member router's cache of the public catalogue (benchmarks read its hit rate; tests empty it). */
  catalogue: CatalogueCache;
  stop(): Promise<void>;
}

function sqliteTarget(dataDir: string, file: string): DatabaseTarget {
  return { kind: 'sqlite', location: join(dataDir, file) };
}

function memberPort(entry: MemberEntry | undefined): number {
  return entry ? Number(new URL(entry.endpoint).port || 80) : 0;
}

interface DemoMarker {
  learners: number;
  seededAt: string;
}

const MARKER = 'demo-seed.json';

function readMarker(dataDir: string): DemoMarker | undefined {
  try {
    const marker = JSON.parse(readFileSync(join(dataDir, MARKER), 'utf8')) as DemoMarker;
    return Number.isInteger(marker.learners) ? marker : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes sure the hub's databases hold the demo data: if any member lacks its
 * profile or the marker file (written last) is missing, every member and the
 * learner register are seeded afresh, so the three always agree. Returns the
 * number of demo learners the databases hold.
 */
export async function ensureDemoData(
  databases: { dataDir: string; members: { profile: MemberProfile; orm: MikroORM }[]; learners: MikroORM },
  demo: { learners: number; force?: boolean },
  progress: (message: string) => void,
): Promise<number> {
  const marker = readMarker(databases.dataDir);
  let complete = marker !== undefined && !demo.force;
  for (const { profile, orm } of databases.members) {
    if (!complete) break;
    complete = await memberIsSeeded(orm, profile.id);
  }
  if (complete && marker) {
    if (marker.learners !== demo.learners) {
      progress(`keeping the demo data seeded earlier (${marker.learners} learners); delete ${databases.dataDir} or run npm run demo:seed to change it`);
    }
    return marker.learners;
  }
  progress(`seeding demo data: ${demo.learners} learners across ${databases.members.length} members`);
  const started = performance.now();
  await seedDemo(
    { members: new Map(databases.members.map(({ profile, orm }) => [profile.id, { orm, profile }])), learners: databases.learners },
    { learners: demo.learners },
    (step: SeedProgress) => progress(`  ${step.learnersDone}/${step.learnersTotal} learners (${((performance.now() - started) / 1000).toFixed(1)} s)`),
  );
  mkdirSync(databases.dataDir, { recursive: true });
  writeFileSync(join(databases.dataDir, MARKER), `${JSON.stringify({ learners: demo.learners, seededAt: new Date().toISOString() } satisfies DemoMarker, null, 2)}\n`);
  return demo.learners;
}

/** Starts every service of the hub and returns their addresses and a way to stop them all. */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  const { logger } = options;
  const host = options.host ?? '127.0.0.1';
  const progress = options.onProgress ?? (() => {});
  const target = (service: string, file: string) => {
    const url = options.databaseUrl?.(service);
    return url ? parseDatabaseUrl(url) : sqliteTarget(options.dataDir, file);
  };
  const stops: (() => Promise<void>)[] = [];
  const orms: MikroORM[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => logger.error('stop failed', { error }));
    await Promise.all(orms.map((orm) => orm.close(true)));
  };

  try {
    const profiles: MemberProfile[] = options.registry
      ? options.registry.members.map((entry) => {
          const profile = memberProfile(entry.id);
          if (!profile) throw new Error(`The embedded hub has no demo profile for member "${entry.id}".`);
          return profile;
        })
      : [...ALLIANCE_MEMBERS];

    progress('opening databases');
    const memberDatabases = await Promise.all(
      profiles.map(async (profile) => {
        const databaseTarget = target(profile.id, `members/${profile.id}.sqlite`);
        const orm = await openMemberDatabase(databaseTarget, { logger });
        orms.push(orm);
        return { profile, orm, kind: databaseTarget.kind, location: databaseTarget.location };
      }),
    );
    const learnersTarget = target('learners', 'learners.sqlite');
    const learnersOrm = await openLearnersDatabase(learnersTarget, { logger });
    orms.push(learnersOrm);
    const escoTarget = target('esco', 'esco.sqlite');
    const escoOrm = await openEscoDatabase(escoTarget, { logger });
    orms.push(escoOrm);
    const issuanceOrm = await openIssuanceDatabase(target('issuance', 'issuance.sqlite'), { logger });
    orms.push(issuanceOrm);
    const recognitionTarget = target('recognition', 'recognition.sqlite');
    const recognitionOrm = await openRecognitionDatabase(recognitionTarget, { logger });
    orms.push(recognitionOrm);
    const passportTarget = target('passport', 'passport.sqlite');
    const passportOrm = await openPassportDatabase(passportTarget, { logger });
    orms.push(passportOrm);
    const analyticsTarget = target('analytics', 'analytics.sqlite');
    const analyticsOrm = await openAnalyticsDatabase(analyticsTarget, { logger });
    orms.push(analyticsOrm);

    const demoLearners = await ensureDemoData(
      { dataDir: options.dataDir, members: memberDatabases, learners: learnersOrm },
      { learners: options.learners },
      progress,
    );
    await ensureEscoData(escoOrm, logger);

    // Hub-internal tokens: every subgraph answers only calls the gateway or the router signed.
    const hubSigner = await ensureHubSigner(join(options.dataDir, 'keys'));
    const issuanceClient = createHttpClient();
    stops.push(() => issuanceClient.close());
    const hubAuth = localHubVerifier(hubSigner.jwks);

    progress('starting member subgraphs');
    // The members' aggregates (statistics, uptake) and the register's mobility counts on SQLite run on one
    // worker thread, off the event loop all 17 services share.
    const onFile = (target: { kind: string; location: string }) => target.kind === 'sqlite' && target.location !== ':memory:';
    const readPool = memberDatabases.some(onFile) || onFile(learnersTarget) ? createSqliteReadPool(1) : undefined;
    if (readPool) stops.push(() => readPool.close());
    const members = new Map<string, RunningMember>();
    const entries: MemberEntry[] = [];
    const entryOf = (memberId: string, name: string, url: string) => {
      const entry = options.registry?.get(memberId);
      entries.push({ id: memberId, name: entry?.name ?? name, endpoint: url, timeoutMs: entry?.timeoutMs ?? options.memberTimeoutMs ?? 2_000 });
    };
    const portOf = (memberId: string) => {
      const entry = options.registry?.get(memberId);
      return entry ? memberPort(entry) : (options.ports?.members ?? 0);
    };
    if (options.memberThread) {
      if (options.memberPlugins || options.memberClock) throw new Error('Members on their own thread take no plugins or clock (functions cannot cross threads).');
      const thread = await startMemberThread({
        members: memberDatabases.map(({ profile, kind, location }) => ({ memberId: profile.id, target: { kind, location }, port: portOf(profile.id) })),
        host,
        hubJwks: hubSigner.jwks,
        log: options.memberThread.log,
      });
      stops.push(() => thread.close());
      // The thread has its own connections: the ones that migrated and seeded are done here.
      for (const { orm } of memberDatabases) {
        orms.splice(orms.indexOf(orm), 1);
        await orm.close(true);
      }
      for (const { profile } of memberDatabases) {
        const url = thread.members.find((member) => member.id === profile.id)?.url as string;
        members.set(profile.id, { id: profile.id, url, stop: () => thread.stop(profile.id), restart: () => thread.restart(profile.id) });
        entryOf(profile.id, profile.name, url);
      }
    } else {
      // One schema for all 13 (it is the same; each request's context names its member): built once.
      const memberSchema = await buildMemberSchema();
      await Promise.all(
        memberDatabases.map(async ({ profile, orm, kind, location }) => {
          const start = (port: number) =>
            startMemberServer({
              memberId: profile.id,
              orm,
              databaseKind: kind,
              logger: logger.child(profile.id),
              port,
              host,
              hubAuth,
              schema: memberSchema,
              ...(readPool && onFile({ kind, location }) ? { reads: readPool.forFile(location) } : {}),
              ...(options.memberClock ? { clock: options.memberClock } : {}),
              ...(options.memberPlugins ? { plugins: options.memberPlugins(profile.id) as never } : {}),
            });
          let server: RunningServer = await start(portOf(profile.id));
          stops.push(() => server.stop());
          members.set(profile.id, {
            id: profile.id,
            url: server.url,
            stop: () => server.stop(),
            restart: async () => {
              await server.stop();
              server = await start(server.port);
            },
          });
          entryOf(profile.id, profile.name, server.url);
        }),
      );
    }
    const order = profiles.map((profile) => profile.id);
    entries.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
    const registry = parseRegistry({ members: entries });
    // One live registry for every service that names members (subgraphs/members/registry-watch.ts).
    const live: LiveRegistry = options.registryFile
      ? openLiveRegistry(options.registryFile, logger.child('members'), { initial: registry })
      : { holder: createRegistryHolder(registry), reload: () => Promise.resolve({ status: 'invalid', error: 'this hub was started without a registry file' }), close: () => undefined };
    stops.push(async () => live.close());
    const knownMembers = memberIdsOf(live.holder);

    progress('starting central subgraphs');
    const router = await startMemberRouter({ live, logger: logger.child('members'), port: options.ports?.members ?? 0, host, hubAuth, signer: hubSigner, ...(options.catalogueCacheMs !== undefined ? { catalogueCacheMs: options.catalogueCacheMs } : {}) });
    stops.push(() => router.stop());
    const esco = await startEscoServer({ orm: escoOrm, databaseKind: escoTarget.kind, logger: logger.child('esco'), port: options.ports?.esco ?? 0, host, hubAuth });
    stops.push(() => esco.stop());

    // Credentials name the hub's public URLs (issuer, key set, status lists), so the gateway's port is fixed first.
    const gatewayPort = options.ports?.gateway || (await freePort(host));
    const publicUrl = options.publicUrl ?? `http://${host}:${gatewayPort}`;
    // Issuance and recognition call each other (stacked credentials read pathway progress; progress reads
    // credentials): recognition's address is filled in once it listens, before the gateway takes requests.
    const issuanceSources: FactSources = { client: issuanceClient, signer: hubSigner, membersUrl: router.url, escoUrl: esco.url, timeoutMs: options.gatewayTimeoutMs ?? 5_000 };
    const issuanceService = await createIssuanceService({
      orm: issuanceOrm,
      keysDir: join(options.dataDir, 'keys', 'issuer'),
      createKeys: true,
      issuer: allianceIssuer(publicUrl),
      sources: issuanceSources,
      members: registry.members.map((member) => ({ id: member.id, name: member.name })),
      logger: logger.child('issuance'),
    });
    // One process for the whole hub: issuance seals and verifies inline, without worker threads of its own.
    stops.push(() => issuanceService.close());
    followMemberRegistry(issuanceOrm, live.holder, logger.child('issuance'));
    const issuance = await startIssuanceServer({ service: issuanceService, logger: logger.child('issuance'), port: options.ports?.issuance ?? 0, host, hubAuth });
    stops.push(() => issuance.stop());
    // Erasure targets: every member of the registry, and each central service that stores learner data (one line each).
    const centralErasureTargets: ErasureTarget[] = [
      { name: 'issuance', audience: 'issuance', origin: new URL(issuance.url).origin },
    ];
    const learners = await startLearnersServer({
      knownMembers,
      ...(readPool && onFile(learnersTarget) ? { reads: readPool.forFile(learnersTarget.location) } : {}),
      orm: learnersOrm,
      databaseKind: learnersTarget.kind,
      logger: logger.child('learners'),
      port: options.ports?.learners ?? 0,
      host,
      hubAuth,
      erasure: { signer: hubSigner, targets: () => [...memberErasureTargets(live.holder.current()), ...centralErasureTargets], ...options.erasure },
      enrolment: { membersUrl: router.url, signer: hubSigner, timeoutMs: options.gatewayTimeoutMs ?? 5_000 },
    });
    stops.push(() => learners.stop());
    const recognitionService = createRecognitionService({
      orm: recognitionOrm,
      databaseKind: recognitionTarget.kind,
      sources: { client: issuanceClient, signer: hubSigner, membersUrl: router.url, escoUrl: esco.url, learnersUrl: learners.url, issuanceUrl: issuance.url, timeoutMs: options.gatewayTimeoutMs ?? 5_000 },
      knownMembers,
      logger: logger.child('recognition'),
    });
    const recognition = await startRecognitionServer({ service: recognitionService, logger: logger.child('recognition'), port: options.ports?.recognition ?? 0, host, hubAuth });
    stops.push(() => recognition.stop());
    issuanceSources.recognitionUrl = recognition.url;
    centralErasureTargets.push({ name: 'recognition', audience: 'recognition', origin: new URL(recognition.url).origin });
    const passportService = createPassportService({
      orm: passportOrm,
      databaseKind: passportTarget.kind,
      sources: {
        client: issuanceClient,
        signer: hubSigner,
        timeoutMs: options.gatewayTimeoutMs ?? 5_000,
        urls: { members: router.url, esco: esco.url, learners: learners.url, issuance: issuance.url, recognition: recognition.url },
      },
      logger: logger.child('passport'),
    });
    const passport = await startPassportServer({ service: passportService, logger: logger.child('passport'), port: options.ports?.passport ?? 0, host, hubAuth });
    stops.push(() => passport.stop());
    centralErasureTargets.push({ name: 'passport', audience: 'passport', origin: new URL(passport.url).origin });
    const analyticsService = createAnalyticsService({
      orm: analyticsOrm,
      databaseKind: analyticsTarget.kind,
      sources: { client: issuanceClient, signer: hubSigner, timeoutMs: options.gatewayTimeoutMs ?? 5_000, urls: { members: router.url, learners: learners.url, issuance: issuance.url, recognition: recognition.url, esco: esco.url }, names: { members: 'member router', learners: 'learner register', issuance: 'issuance service', recognition: 'recognition service', esco: 'ESCO service' } },
      logger: logger.child('analytics'),
      ...(options.analyticsK ? { k: options.analyticsK } : {}),
    });
    const analytics = await startAnalyticsServer({ service: analyticsService, logger: logger.child('analytics'), port: options.ports?.analytics ?? 0, host, hubAuth, warm: options.analyticsWarm ?? false });
    stops.push(() => analytics.stop());
    centralErasureTargets.push({ name: 'analytics', audience: 'analytics', origin: new URL(analytics.url).origin });


    progress('starting the gateway');
    const idp = await ensureDevIdp(join(options.dataDir, 'keys'));
    const supergraphSdl = readSupergraph();
    const subgraphs = subgraphEndpoints(
      supergraphSdl,
      { members: router.url, esco: esco.url, learners: learners.url, issuance: issuance.url, recognition: recognition.url, passport: passport.url, analytics: analytics.url },
      { defaultMs: options.gatewayTimeoutMs ?? 5_000 },
    );
    const gateway = await startGateway({
      supergraphSdl,
      subgraphs,
      logger: logger.child('gateway'),
      port: gatewayPort,
      passThrough: [...issuancePassThrough(subgraphs), ...analyticsPassThrough(subgraphs)],
      signIn: devIdpSignInConfig(),
      routes: (app) => mountDevIdpSignIn(app, { idp, members: profiles.map((profile) => ({ id: profile.id, name: profile.name })) }),
      host,
      production: options.production ?? false,
      auth: devIdpProfile(idp),
      hubSigner,
      ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
      ...(options.rateLimitPerMinute ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}),
      ...options.edge,
    });
    stops.push(() => gateway.stop());

    return {
      gatewayUrl: gateway.url,
      readyUrl: gateway.readyUrl,
      urls: { members: router.url, esco: esco.url, learners: learners.url, issuance: issuance.url, recognition: recognition.url, passport: passport.url, analytics: analytics.url },
      publicUrl,
      members,
      central: { members: router, esco, learners, issuance, recognition, passport, analytics },
      catalogue: router.catalogue,
      demoLearners,
      idp,
      hubSigner,
      issuanceService,
      recognitionService,
      passportService,
      analyticsService,
      get registry() {
        return live.holder.current();
      },
      reloadRegistry: (trigger) => live.reload(trigger),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
