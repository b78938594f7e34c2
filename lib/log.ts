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

/**
 * An error as it may be logged. MikroORM's database errors begin with the
 * whole statement, values inlined, then " - " and the database's own message:
 * the values can be a learner's name or a sealed credential, which have no
 * place in a log. Only the database's message is kept (stack included).
 */
function loggableError(error: Error): { message: string; stack?: string } {
  if (!(error instanceof DriverException)) return { message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  const cut = error.message.lastIndexOf(' - ');
  const message = cut >= 0 ? `${error.name} (statement withheld): ${error.message.slice(cut + 3)}` : `${error.name} (statement withheld)`;
  const frames = error.stack?.split('\n').filter((line) => /^\s+at /.test(line)) ?? [];
  return { message, stack: [message, ...frames].join('\n') };
}

function errorFields(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!fields) return fields;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? loggableError(value) : value;
  }
  return out;
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
