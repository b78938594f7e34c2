import { join, resolve } from 'node:path';
import { hubSignerFromEnv, sharedKeyHubVerifier } from '../../lib/hub-token.js';
import { readInt, readPort, readString } from '../../lib/config.js';
import { runService } from '../../lib/entry.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { startMemberRouter } from './server.js';
import { TRACING_HELP } from '../../lib/tracing.js';

const HELP = `Member router: a Federation 2 subgraph that serves the member contract for the
whole alliance, routing each entity to the member that owns it and fanning
catalogue lists out to every member (docs/routing.md).

Usage: [MEMBER_REGISTRY=…] [PORT=…] npm run members

Environment:
  MEMBER_REGISTRY  JSON file listing the members (id, name, endpoint, timeoutMs)
                   default config/members.json
                   Reloaded without a restart when the file changes, and on SIGHUP:
                   a valid file applies to new requests and the log says which
                   members were added, removed or changed; an invalid one is logged
                   and the members loaded before stay.
  HUB_KEYS_DIR     the hub's signing key (shared with the gateway; created on first start):
                   calls from the gateway are verified with it, calls to members signed
                   default data/keys
  CATALOGUE_CACHE_SECONDS
                   how long members' public catalogue answers (offerings, institutions)
                   are kept and shared by every caller; a change made through the graph
                   is seen at once, one made at the member within this  default 10 (0: none)
  PORT             port to listen on     default 4001
  HOST             address to bind       default 127.0.0.1
  LOG_FORMAT       text or json          default text; json with NODE_ENV=production
  LOG_LEVEL        debug, info, warn or error default info
${TRACING_HELP}
Signals: SIGHUP reloads MEMBER_REGISTRY; SIGINT and SIGTERM stop.
`;

runService({
  name: () => 'members',
  help: HELP,
  async start(env, logger, shared) {
    // Absolute, so the log lines name the file wherever the router was started from (a relative path is from the working directory, as before).
    const registryFile = resolve(readString(env, 'MEMBER_REGISTRY', join(REPO_ROOT, 'config', 'members.json')));
    const signer = await hubSignerFromEnv(env);
    const hubAuth = sharedKeyHubVerifier(env, shared.tokenUses('members'));
    const catalogueCacheMs = readInt(env, 'CATALOGUE_CACHE_SECONDS', 10, { min: 0, max: 3_600 }) * 1000;
    const router = await startMemberRouter({ registryFile, logger, port: readPort(env, 'PORT', 4001), host: readString(env, 'HOST', '127.0.0.1'), hubAuth, signer, catalogueCacheMs });
    const members = router.registry().members;
    logger.info(`routing to ${members.length} members: ${members.map((member) => member.id).join(', ')} (registry ${registryFile}, reloaded on change and on SIGHUP)`);
    return { url: router.url, stop: router.stop, reload: () => void router.reloadRegistry('SIGHUP') };
  },
});
