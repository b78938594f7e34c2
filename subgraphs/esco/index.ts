import { readPort, readString } from '../../lib/config.js';
import { runService } from '../../lib/entry.js';
import { hubVerifierFromEnv } from '../../lib/hub-token.js';
import { configuredDatabase } from '../../lib/orm.js';
import { DEFAULT_ESCO_DATABASE_URL } from './config.js';
import { ensureEscoData } from './curated.js';
import { openEscoDatabase } from './database.js';
import { startEscoServer } from './server.js';
import { TRACING_HELP } from '../../lib/tracing.js';

const HELP = `Usage: [DATABASE_URL=…] [PORT=…] npm run esco

Serves the ESCO subgraph (skills, skill groups, occupations) over GraphQL.
On an empty database it first loads the curated ESCO set shipped in
subgraphs/esco/data/curated; load a full ESCO download with
\`npm run esco:import -- <folder>\`.

Environment:
  DATABASE_URL  sqlite:<file> or postgresql://… (default ${DEFAULT_ESCO_DATABASE_URL},
                relative to the repository root)
  PORT          port to listen on (default 4002; 0 picks a free port)
  HOST          address to listen on (default 127.0.0.1)
  LOG_FORMAT    text or json (default text; json with NODE_ENV=production)
  LOG_LEVEL     debug, info, warn or error (default info: one line per request)
${TRACING_HELP}  HUB_JWKS_URL | HUB_JWKS_FILE
                 the hub's public keys: the gateway's /.well-known/hub-jwks.json, or the
                 file the gateway writes (data/keys/hub-jwks.json); only calls signed
                 by the hub are answered, anything else gets 401
`;

runService({
  name: () => 'esco',
  help: HELP,
  async start(env, logger, shared) {
    const target = configuredDatabase(readString(env, 'DATABASE_URL', DEFAULT_ESCO_DATABASE_URL));
    const port = readPort(env, 'PORT', 4002);
    const host = readString(env, 'HOST', '127.0.0.1');
    const hubAuth = hubVerifierFromEnv(env, shared.tokenUses('esco'));
    const orm = await openEscoDatabase(target, { logger });
    try {
      await ensureEscoData(orm, logger);
      const server = await startEscoServer({ orm, databaseKind: target.kind, logger, port, host, hubAuth });
      return { url: server.url, stop: async () => { await server.stop(); await orm.close(); } };
    } catch (error) {
      await orm.close();
      throw error;
    }
  },
});
