import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, readBaseUrl, readBoolean, readInt, readPort, readString } from '../../lib/config.js';
import { runService } from '../../lib/entry.js';
import { createHttpClient } from '../../lib/http-client.js';
import { hubSignerFromEnv, sharedKeyHubVerifier } from '../../lib/hub-token.js';
import { configuredDatabase } from '../../lib/orm.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { openLiveRegistry } from '../members/registry-watch.js';
import type { IssuanceService } from './context.js';
import { openIssuanceDatabase } from './database.js';
import { allianceIssuer, createIssuanceService, ISSUANCE_ROUTES, startIssuanceServer } from './server.js';
import { followMemberRegistry } from './register.js';
import { TRACING_HELP } from '../../lib/tracing.js';

const HELP = `Issuance subgraph: issues, seals, verifies and revokes the alliance's
micro-credentials (W3C VC 2.0 in the European Learning Model, sealed as vc+jwt).

Usage: [DATABASE_URL=…] [PORT=…] npm run issuance

Environment:
  DATABASE_URL      postgresql://user@host:5432/db or sqlite:<file>   default sqlite:data/issuance.sqlite
  PUBLIC_URL        the hub's public URL, named in every credential (issuer id, key set,
                    status lists); the gateway passes ${ISSUANCE_ROUTES.verify} etc. through
                                                                      default http://127.0.0.1:4000
  ISSUER_KEYS_DIR   the alliance's issuing keys (private files mode 0600; the newest seals,
                    all stay published)                               default data/keys/issuer
  ISSUER_CREATE_KEY true: create the first key when the folder has none (development);
                    production provisions keys with npm run issuer:keys  default false
  MEMBERS_URL       the member router, where achievements are read   default http://127.0.0.1:4001/graphql
  ESCO_URL          the ESCO subgraph, for skill labels               default http://127.0.0.1:4002/graphql
  RECOGNITION_URL   the recognition subgraph: pathway progress, for stacked credentials
                                                                      default http://127.0.0.1:4005/graphql
  SOURCE_TIMEOUT_MS deadline for those reads                          default 5000
  CORRECTION_POLL_SECONDS how often members' corrected achievements are read
                    (their credentials are suspended pending re-issue; 0: never)  default 30
  MEMBER_REGISTRY   members to list in the register of trusted issuers default config/members.json
                    (re-read when it changes and on SIGHUP: a member added is trusted from
                    then, one removed until then)
  CREDENTIAL_SCHEMAS_DIR
                    folder with the published W3C VC 2.0 and EBSI EDC JSON Schemas, for the
                    verification's schema check                      default ../shared/credentials
  ISSUER_COUNTRY    ISO 3166-1 alpha-2 country of the alliance as issuer default NL
  ISSUER_LEGAL_IDENTIFIER
                    the alliance's legal identifier in that country (e.g. its chamber of
                    commerce number), stated in every credential as ELM's shapes require
                                                                      default: not stated
  COHORT_LEASE_SECONDS
                    how long a replica's claim on a running cohort job holds unless it
                    renews it (renewed every 5 s, or a third of the lease if shorter); a
                    replica that dies leaves its job this long to the others  default 30
  COHORT_SWEEP_SECONDS
                    how often each replica looks for cohort jobs whose lease ran out, and
                    takes them over                                   default 10
  SEAL_WORKERS      worker threads writing and sealing bulk batches (0: inline)
                                                                      default: the number of cores
  VERIFY_WORKERS    worker threads checking signatures and schemas of credentials being
                    verified (0: inline, on the event loop)          default: the number of cores
  HUB_KEYS_DIR      the hub's signing key (shared with the gateway): verifies calls from the
                    gateway, signs reads from the router and ESCO    default data/keys
  PORT              port to listen on                                 default 4004
  HOST              address to bind                                   default 127.0.0.1
  LOG_FORMAT        text or json                                      default text; json with NODE_ENV=production
  LOG_LEVEL         debug, info, warn or error                        default info
${TRACING_HELP}`;

/** A legal identifier goes into every sealed credential: plain printable text only. */
function checkedLegalIdentifier(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9 ./:-]{1,99}$/.test(value)) throw new ConfigError('ISSUER_LEGAL_IDENTIFIER must be 2 to 100 letters, digits, spaces or . / : -');
  return value;
}

runService({
  name: () => 'issuance',
  help: HELP,
  async start(env, logger, shared) {
    const target = configuredDatabase(readString(env, 'DATABASE_URL', 'sqlite:data/issuance.sqlite'));
    // Watched like the router's: a member the alliance adds or removes enters or leaves the register of trusted issuers at once.
    const registry = openLiveRegistry(readString(env, 'MEMBER_REGISTRY', join(REPO_ROOT, 'config', 'members.json')), logger);
    const signer = await hubSignerFromEnv(env);
    const hubAuth = sharedKeyHubVerifier(env, shared.tokenUses('issuance'));
    const client = createHttpClient();
    const orm = await openIssuanceDatabase(target, { logger });
    let service: IssuanceService | undefined;
    try {
      service = await createIssuanceService({
        orm,
        keysDir: resolve(REPO_ROOT, readString(env, 'ISSUER_KEYS_DIR', join('data', 'keys', 'issuer'))),
        createKeys: readBoolean(env, 'ISSUER_CREATE_KEY', false),
        issuer: allianceIssuer(readBaseUrl(env, 'PUBLIC_URL', 'http://127.0.0.1:4000'), readString(env, 'ISSUER_COUNTRY', 'NL'), env['ISSUER_LEGAL_IDENTIFIER'] ? checkedLegalIdentifier(readString(env, 'ISSUER_LEGAL_IDENTIFIER')) : null),
        ...(env['CREDENTIAL_SCHEMAS_DIR'] ? { schemasDir: resolve(REPO_ROOT, readString(env, 'CREDENTIAL_SCHEMAS_DIR')) } : {}),
        sources: {
          client,
          signer,
          membersUrl: readString(env, 'MEMBERS_URL', 'http://127.0.0.1:4001/graphql'),
          escoUrl: readString(env, 'ESCO_URL', 'http://127.0.0.1:4002/graphql'),
          recognitionUrl: readString(env, 'RECOGNITION_URL', 'http://127.0.0.1:4005/graphql'),
          timeoutMs: readInt(env, 'SOURCE_TIMEOUT_MS', 5_000, { min: 100, max: 120_000 }),
        },
        members: registry.holder.current().members.map((member) => ({ id: member.id, name: member.name })),
        logger,
        sealWorkers: readInt(env, 'SEAL_WORKERS', availableParallelism(), { min: 0, max: 64 }),
        verifyWorkers: readInt(env, 'VERIFY_WORKERS', availableParallelism(), { min: 0, max: 64 }),
        correctionPollMs: readInt(env, 'CORRECTION_POLL_SECONDS', 30, { min: 0, max: 86_400 }) * 1_000,
        // Shorter than the defaults, a dead replica's cohort job is taken over sooner, at the price of more lease writes.
        cohortJobs: {
          leaseMs: readInt(env, 'COHORT_LEASE_SECONDS', 30, { min: 1, max: 3_600 }) * 1_000,
          sweepMs: readInt(env, 'COHORT_SWEEP_SECONDS', 10, { min: 1, max: 3_600 }) * 1_000,
        },
      });
      const running = service;
      followMemberRegistry(orm, registry.holder, logger);
      const server = await startIssuanceServer({ service: running, logger, port: readPort(env, 'PORT', 4004), host: readString(env, 'HOST', '127.0.0.1'), hubAuth });
      return {
        url: server.url,
        reload: () => void registry.reload('SIGHUP'),
        stop: async () => {
          registry.close();
          await server.stop();
          await running.close();
          await client.close();
          await orm.close();
        },
      };
    } catch (error) {
      // Worker threads too: an embedding process must not keep them after a failed start.
      registry.close();
      await service?.close();
      await client.close();
      await orm.close();
      throw error;
    }
  },
});
