import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readPort, readString, runMain, stopOnSignals } from '../../lib/config.js';
import { createLogger } from '../../lib/log.js';
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
  PORT             port to listen on     default 4001
  HOST             address to bind       default 127.0.0.1
  LOG_FORMAT       text or json          default text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const env = process.env;
  const registryPath = readString(env, 'MEMBER_REGISTRY', join(REPO_ROOT, 'config', 'members.json'));
  const registry = readRegistryFile(registryPath);
  const logger = createLogger({ name: 'members', format: env['LOG_FORMAT'] === 'json' ? 'json' : 'text' });
  const server = await startMemberRouter({ registry, logger, port: readPort(env, 'PORT', 4001), host: readString(env, 'HOST', '127.0.0.1') });
  logger.info(`serving ${server.url} for ${registry.members.length} members`);
  stopOnSignals(() => server.stop(), logger.info);
}

runMain(main);
