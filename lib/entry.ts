import { parseArgs } from 'node:util';
import { ConfigError, runMain, stopOnSignals, type Env } from './config.js';
import { createLogger, readLogOptions, type Logger } from './log.js';
import { startTracing } from './tracing.js';
import { sharedStateFromEnv, type SharedState } from './shared-state.js';

export interface ServiceEntry {
  /** Logger name, e.g. "gateway" or "member tuni.fi" (may depend on the environment). */
  name: (env: Env) => string;
  /** The `--help` text: what the service is and every variable it reads. */
  help: string;
  /**
   * Reads configuration, starts the service and says how to stop it (and, if it can, how to re-read its configuration on SIGHUP).
   * `shared`: what this service's replicas share (SHARED_STATE_URL, lib/shared-state.ts); closed after the service stops.
   */
  start(env: Env, logger: Logger, shared: SharedState): Promise<{ url: string; stop(): Promise<void>; reload?: () => void }>;
}

/**
 * The shape every service entry point shares: `--help`, a logger honouring
 * LOG_FORMAT, one line saying where it serves, and a clean stop on
 * SIGINT/SIGTERM. Configuration mistakes end with one line and exit code 2.
 */
export function runService(entry: ServiceEntry): void {
  runMain(async () => {
    let help = false;
    try {
      help = parseArgs({ options: { help: { type: 'boolean', default: false } } }).values.help ?? false;
    } catch (error) {
      throw new ConfigError(`${(error as Error).message}. Use --help to see the options.`);
    }
    if (help) {
      process.stdout.write(entry.help);
      return;
    }
    const env = process.env;
    const logger = createLogger({ name: entry.name(env), ...readLogOptions(env) });
    // Before the service, so its first requests are traced; stopped after it, so its last spans are exported.
    const tracing = startTracing(env, logger);
    const shared = await sharedStateFromEnv(env, logger);
    let running: Awaited<ReturnType<ServiceEntry['start']>>;
    try {
      running = await entry.start(env, logger, shared);
    } catch (error) {
      await shared.close();
      await tracing.stop();
      throw error;
    }
    const stop = async () => {
      await running.stop();
      await shared.close();
      await tracing.stop();
    };
    stopOnSignals(stop, logger.info, env, running.reload ? { hangup: running.reload } : {});
    // Last, so that whoever waits for this line may signal at once.
    logger.info(`serving ${running.url}`);
  });
}

/** Something a service holds open for its lifetime (a database, an HTTP client). */
export interface Closable {
  close(): Promise<unknown>;
}

/**
 * Starts a server over resources the entry point opened: when the server
 * stops, or fails to start, the resources are closed in the order given.
 */
export async function serveWith(resources: readonly Closable[], start: () => Promise<{ url: string; stop(): Promise<void> }>): Promise<{ url: string; stop(): Promise<void> }> {
  const closeAll = async () => {
    for (const resource of resources) await resource.close();
  };
  try {
    const server = await start();
    return {
      url: server.url,
      stop: async () => {
        await server.stop();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
