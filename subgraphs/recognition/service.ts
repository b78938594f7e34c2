import { join } from 'node:path';
import { readInt, readPort, readString } from '../../lib/config.js';
import { serveWith, type ServiceEntry } from '../../lib/entry.js';
import type { Env } from '../../lib/config.js';
import type { Logger } from '../../lib/log.js';
import type { MikroORM } from '@mikro-orm/core';
import { createHttpClient } from '../../lib/http-client.js';
import { hubSignerFromEnv, sharedKeyHubVerifier } from '../../lib/hub-token.js';
import { configuredDatabase } from '../../lib/orm.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { memberIdsOf, openLiveRegistry } from '../members/registry-watch.js';
import { openRecognitionDatabase } from './database.js';
import { createRecognitionService, startRecognitionServer } from './server.js';
import { TRACING_HELP } from '../../lib/tracing.js';

const HELP = `Recognition subgraph: learners' requests to have credit earned at one member
recognised by another, members' decisions and recognition rules, and stackable pathways.

Usage: [DATABASE_URL=…] [PORT=…] npm run recognition

Environment:
  DATABASE_URL      postgresql://user@host:5432/db or sqlite:<file>   default sqlite:data/recognition.sqlite
  MEMBERS_URL       the member router: evidence, offerings            default http://127.0.0.1:4001/graphql
  ESCO_URL          the ESCO subgraph, for skill labels               default http://127.0.0.1:4002/graphql
  LEARNERS_URL      the learners subgraph (a learner's accounts)      default http://127.0.0.1:4003/graphql
  ISSUANCE_URL      the issuance subgraph: credentials as evidence, verification of
                    external credentials, stacked credentials         default http://127.0.0.1:4004/graphql
  SOURCE_TIMEOUT_MS deadline for each of those calls                  default 5000
  MEMBER_REGISTRY   the alliance's members: requests and rules may name only these
                    (re-read when it changes and on SIGHUP)
                                                                      default config/members.json
  HUB_KEYS_DIR      the hub's signing key (shared with the gateway): verifies calls from the
                    gateway, signs the calls above                    default data/keys
  PORT              port to listen on                                 default 4005
  HOST              address to bind                                   default 127.0.0.1
  LOG_FORMAT        text or json                                      default text; json with NODE_ENV=production
  LOG_LEVEL         debug, info, warn or error                        default info
${TRACING_HELP}`;

/**
 * What a caller of recognitionService may add: more `--help` lines and work on
 * the open database before the server starts (the hub's demo entry point seeds
 * demo rules and pathways with it, so this codebase never imports the seeder).
 */
export interface RecognitionServiceHooks {
  help?: string;
  prepare?(context: { env: Env; logger: Logger; orm: MikroORM }): Promise<void>;
}

/** The recognition subgraph as a service: configuration from the environment, migrations, the server. */
export function recognitionService(hooks: RecognitionServiceHooks = {}): ServiceEntry {
  return {
    name: () => 'recognition',
    help: HELP + (hooks.help ?? ''),
    async start(env, logger, shared) {
      const target = configuredDatabase(readString(env, 'DATABASE_URL', 'sqlite:data/recognition.sqlite'));
      // Watched like the router's: requests and rules may name a member the alliance adds, without a restart.
      // Read first, so a bad file stops the start before anything is opened (its watch keeps no process alive).
      const registry = openLiveRegistry(readString(env, 'MEMBER_REGISTRY', join(REPO_ROOT, 'config', 'members.json')), logger);
      const signer = await hubSignerFromEnv(env);
      const hubAuth = sharedKeyHubVerifier(env, shared.tokenUses('recognition'));
      const client = createHttpClient();
      const orm = await openRecognitionDatabase(target, { logger });
      const running = await serveWith([{ close: async () => registry.close() }, client, orm], async () => {
        await hooks.prepare?.({ env, logger, orm });
        const service = createRecognitionService({
          orm,
          databaseKind: target.kind,
          sources: {
            client,
            signer,
            membersUrl: readString(env, 'MEMBERS_URL', 'http://127.0.0.1:4001/graphql'),
            escoUrl: readString(env, 'ESCO_URL', 'http://127.0.0.1:4002/graphql'),
            learnersUrl: readString(env, 'LEARNERS_URL', 'http://127.0.0.1:4003/graphql'),
            issuanceUrl: readString(env, 'ISSUANCE_URL', 'http://127.0.0.1:4004/graphql'),
            timeoutMs: readInt(env, 'SOURCE_TIMEOUT_MS', 5_000, { min: 100, max: 120_000 }),
          },
          knownMembers: memberIdsOf(registry.holder),
          logger,
        });
        return startRecognitionServer({ service, logger, port: readPort(env, 'PORT', 4005), host: readString(env, 'HOST', '127.0.0.1'), hubAuth });
      });
      return { ...running, reload: () => void registry.reload('SIGHUP') };
    },
  };
}
