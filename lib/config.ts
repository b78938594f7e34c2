/**
 * Reading configuration from the environment with errors that say which
 * variable is wrong and what it should look like. Only entry points
 * (`index.ts`, scripts) call these; everything else receives plain values.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function readString(env: Env, name: string, fallback?: string): string {
  const value = env[name]?.trim();
  if (value) return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(`${name} is not set.`);
}

export function readInt(env: Env, name: string, fallback: number, range: { min: number; max: number }): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ConfigError(`${name} must be an integer from ${range.min} to ${range.max}; got "${raw}".`);
  }
  return value;
}

/**
 * A public base URL (http or https, no query or fragment), without a trailing
 * slash. Checked at start because such URLs end up in what the hub signs.
 */
export function readBaseUrl(env: Env, name: string, fallback: string): string {
  const value = readString(env, name, fallback);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL such as https://hub.eciu.eu; got "${value}".`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`${name} must be an http(s) URL without query, fragment or credentials, such as https://hub.eciu.eu; got "${value}".`);
  }
  return value.replace(/\/+$/, '');
}

export function readPort(env: Env, name: string, fallback: number): number {
  return readInt(env, name, fallback, { min: 0, max: 65535 });
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false; got "${raw}".`);
}

/**
 * Runs an entry point: configuration errors print one line and exit with 2,
 * anything else prints and exits with 1. Keeps stack traces out of the way of
 * someone who only mistyped a variable.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(2);
    }
    // node:util parseArgs refusing the command line (an unknown option, a missing value): a usage error, not a crash.
    const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
    if (error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      process.stderr.write(`Usage error: ${error.message}. Use --help to see the options.\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

/**
 * Stops the given services once on SIGINT/SIGTERM/SIGHUP, then exits.
 *
 * Started by npm (`npm start`, `npm run gateway` …), the process also stops
 * when npm goes away without passing a signal on (npm killed with SIGKILL, a
 * supervisor or `timeout` signalling only the PID it started): an orphan would
 * keep every port and database file held. Started any other way (`nohup node
 * …`, a container's PID 1) a changed parent is normal, so nothing is watched.
 */
export function stopOnSignals(stop: () => Promise<void>, log: (message: string) => void = () => {}, env: Env = process.env, options: { hangup?: () => void } = {}): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}, stopping…`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => handler('SIGINT received'));
  process.once('SIGTERM', () => handler('SIGTERM received'));
  // A service that re-reads its configuration takes SIGHUP for that, as daemons do; the others stop on it.
  if (options.hangup) process.on('SIGHUP', options.hangup);
  else process.once('SIGHUP', () => handler('SIGHUP received'));
  if (env['npm_lifecycle_event']) {
    const parent = process.ppid;
    // process.ppid asks the OS each time; once a second costs nothing and unref() never keeps the process alive.
    setInterval(() => {
      if (process.ppid !== parent) handler('npm (the parent process) is gone');
    }, 1000).unref();
  }
}
