import { DriverException } from '@mikro-orm/core';

/**
 * A small structured logger. Services receive one explicitly (no global
 * logger), so tests can silence or capture it and one process can host many
 * services with distinct names.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(name: string): Logger;
}

export type LogFormat = 'text' | 'json';

export interface LoggerOptions {
  name: string;
  format?: LogFormat;
  /** Where lines go; defaults to stderr so stdout stays clean for command output. */
  write?: (line: string) => void;
  quiet?: boolean;
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

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const format = options.format ?? 'text';
  const emit = (level: string, message: string, fields?: Record<string, unknown>): void => {
    if (options.quiet && level !== 'error') return;
    const extra = errorFields(fields);
    if (format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level, service: options.name, message, ...extra }));
    } else {
      const suffix = extra && Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : '';
      write(`[${options.name}] ${level === 'info' ? '' : `${level.toUpperCase()} `}${message}${suffix}`);
    }
  };
  return {
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (name) => createLogger({ ...options, name: `${options.name}/${name}` }),
  };
}

/** A logger that drops everything but errors; the default in tests. */
export function quietLogger(name = 'test'): Logger {
  return createLogger({ name, quiet: true });
}
