import { join } from 'node:path';
import { hubSignerFromEnv, sharedKeyHubVerifier } from '../../lib/hub-token.js';
import { readPort, readString } from '../../lib/config.js';
import { runService } from '../../lib/entry.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { readRegistryFile } from './registry.js';
import { startMemberRouter } from './server.js';

const HELP = `Member router: a Federation 2 subgraph that serves the member contract for the
whole alliance, routing each entity to the member that owns it and fanning
catalogue lists out to every member (docs/routing.md).

Usage: [MEMBER_REGISTRY=…] [PORT=…] npm run members

Environment:
  MEMBER_REGISTRY  JSON file listing the members (id, name, endpoint, timeoutMs)
                   default config/members.json
  HUB_KEYS_DIR     the hub's signing key (shared with the gateway; created on first start):
                   calls from the gateway are verified with it, calls to members signed
                   default data/keys
  PORT             port to listen on     default 4001
  HOST             address to bind       default 127.0.0.1
  LOG_FORMAT       text or json          default text
`;

runService({
  name: () => 'members',
  help: HELP,
  async start(env, logger) {
    const registry = readRegistryFile(readString(env, 'MEMBER_REGISTRY', join(REPO_ROOT, 'config', 'members.json')));
    logger.info(`routing to ${registry.members.length} members: ${registry.members.map((member) => member.id).join(', ')}`);
    const signer = await hubSignerFromEnv(env);
    const hubAuth = sharedKeyHubVerifier(env);
    return startMemberRouter({ registry, logger, port: readPort(env, 'PORT', 4001), host: readString(env, 'HOST', '127.0.0.1'), hubAuth, signer });
  },
});
