import { DriverException } from '@mikro-orm/core';
import { pino, stdTimeFunctions, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { ConfigError, type Env } from './config.js';

/**
 * The hub's structured logger, on pino. Services receive one explicitly (no
 * global logger), so tests can silence or capture it and one process can host
 * many services with distinct names. Every line is one JSON object (production,
 * `LOG_FORMAT=json`: what log shippers read) or one line of text for people
 * (`npm start`), written synchronously so nothing is lost when a process exits.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(name: string): Logger;
  /** Whether a line at `level` would be written (to skip building fields nobody reads). */
  enabled(level: LogLevel): boolean;
}

export type LogFormat = 'text' | 'json';
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Serialisable (a worker thread gets its logger from these), except `write`. */
export interface LoggerOptions {
  name: string;
  format?: LogFormat;
  /** Lowest level written; default `info`. */
  level?: LogLevel;
  /** Where lines go (without their newline); defaults to stderr so stdout stays clean for command output. */
  write?: (line: string) => void;
  /** Errors only (tests); the same as `level: 'error'`. */
  quiet?: boolean;
}

/** LOG_FORMAT and LOG_LEVEL, checked: a typo is a configuration error, not a silent default. */
export function readLogOptions(env: Env): { format: LogFormat; level: LogLevel } {
  // Text for people at a terminal; JSON, what log shippers read, wherever NODE_ENV says production.
  const format = env['LOG_FORMAT']?.trim() || (env['NODE_ENV'] === 'production' ? 'json' : 'text');
  if (format !== 'text' && format !== 'json') throw new ConfigError(`LOG_FORMAT must be text or json (got "${format}").`);
  const level = env['LOG_LEVEL']?.trim().toLowerCase() || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${level}").`);
  return { format, level: level as LogLevel };
}

/** The database error an error is or wraps (GraphQL's `originalError`, a `cause`), if any. */
function databaseErrorIn(error: Error): DriverException | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    if (current instanceof DriverException) return current;
    seen.add(current);
    const next: unknown = (current as { originalError?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
    current = next;
  }
  return undefined;
}

/**
 * An error as it may be logged. MikroORM's database errors begin with the
 * whole statement, values inlined, then " - " and the database's own message,
 * and carry the database's `detail` (which can quote the failing row); the
 * values can be a learner's name or a sealed credential, which have no place
 * in a log. For an error that is or wraps one (GraphQL copies the message of
 * the error it wraps), only the database's own message is kept, with the
 * stack frames.
 */
function loggableError(error: Error): { message: string; stack?: string } {
  const database = databaseErrorIn(error);
  if (!database) return { message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  const cut = database.message.lastIndexOf(' - ');
  // Without " - " there is no statement in it (a refused connection, say).
  const message = `${database.name}${cut >= 0 ? ` (statement withheld): ${database.message.slice(cut + 3)}` : `: ${database.message}`}`;
  const frames = (database.stack ?? error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return { message, stack: [message, ...frames].join('\n') };
}

/** Log fields with every error in them (at any depth) made loggable. */
function loggable(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return loggableError(value);
  if (depth >= 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => loggable(item, depth + 1));
  // Only plain objects are walked: a Date or a Buffer is logged as JSON.stringify writes it.
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, loggable(item, depth + 1)]));
}

function errorFields(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return fields ? (loggable(fields) as Record<string, unknown>) : fields;
}

/**
 * Headers and fields that carry credentials: censored wherever they appear
 * in a line's fields, so a careless `{ headers }` cannot put a token in the log.
 */
const REDACTED_PATHS = ['authorization', 'token', 'headers.authorization', 'headers.cookie', '*.authorization', '*.token'];

/** The fields of a JSON line that are not the line's own (time, level, service, message). */
function textSuffix(entry: Record<string, unknown>): string {
  const { time: _time, level: _level, service: _service, message: _message, ...fields } = entry;
  return Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
}

/** Turns pino's JSON lines into `[service] LEVEL message {fields}` for a terminal. */
function textDestination(write: (line: string) => void): DestinationStream {
  return {
    write(chunk: string) {
      const entry = JSON.parse(chunk) as Record<string, unknown>;
      const level = String(entry['level']);
      write(`[${String(entry['service'])}] ${level === 'info' ? '' : `${level.toUpperCase()} `}${String(entry['message'])}${textSuffix(entry)}`);
    },
  };
}

function destination(options: LoggerOptions): DestinationStream {
  if (options.format === 'json') {
    const write = options.write;
    return write ? { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) } : pino.destination({ dest: 2, sync: true });
  }
  return textDestination(options.write ?? ((line: string) => process.stderr.write(`${line}\n`)));
}

function wrap(instance: PinoLogger, options: LoggerOptions): Logger {
  return {
    debug: (message, fields) => instance.debug(fields ?? {}, message),
    info: (message, fields) => instance.info(fields ?? {}, message),
    warn: (message, fields) => instance.warn(fields ?? {}, message),
    error: (message, fields) => instance.error(fields ?? {}, message),
    child: (name) => createLogger({ ...options, name: `${options.name}/${name}` }),
    enabled: (level) => instance.isLevelEnabled(level),
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const instance = pino(
    {
      level: options.quiet ? 'error' : (options.level ?? 'info'),
      base: { service: options.name },
      messageKey: 'message',
      timestamp: stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: {
        level: (label) => ({ level: label }),
        // Errors anywhere in the fields lose database statements (loggable, above).
        log: (fields) => errorFields(fields) ?? {},
      },
    },
    destination(options),
  );
  return wrap(instance, options);
}

/** A logger that drops everything but errors; the default in tests. */
export function quietLogger(name = 'test'): Logger {
  return createLogger({ name, quiet: true });
}
