import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * Error codes a client may see with their original message. Anything else is
 * replaced by a generic message before it leaves a server, because its text may
 * carry SQL, stack frames, file paths or internal URLs.
 */
export const PUBLIC_ERROR_CODES: ReadonlySet<string> = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'NOT_FOUND',
  'UNKNOWN_MEMBER',
  'MEMBER_UNAVAILABLE',
  'MEMBER_ERROR',
  'SERVICE_UNAVAILABLE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'OPERATION_NOT_IN_SAFELIST',
  'QUERY_TOO_LARGE',
  'NOT_ISSUABLE',
  'IDEMPOTENCY_KEY_REUSED',
  'UNPROCESSABLE_CREDENTIAL',
  // Recognition: evidence that does not verify, is revoked or comes from an untrusted issuer; a step the request's state does not allow.
  'EVIDENCE_NOT_ACCEPTED',
  'INVALID_STATE',
  // Enrolment: the member's rules (deadline, language, declared prerequisites, places) refuse an application.
  'NOT_ELIGIBLE',
]);

/** Extension keys that are safe to pass on; everything else is dropped. */
const PUBLIC_EXTENSION_KEYS = ['code', 'member', 'service', 'argument'] as const;

/** The input was wrong; `argument` names the offending argument or input field. */
export function badUserInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: argument ? { code: 'BAD_USER_INPUT', argument } : { code: 'BAD_USER_INPUT' },
  });
}

// Control characters have no place in a name, a purpose or a reason: they would reach logs and other people's screens.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * A free text the hub stores and shows to others (a verifier's name, a purpose,
 * a revocation reason): trimmed, `min` to `max` characters, no control
 * characters or line breaks. Absent stays null; anything else is BAD_USER_INPUT
 * naming the argument.
 */
export function checkedText(value: string | null | undefined, argument: string, min: number, max: number): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) throw badUserInput(`"${argument}" must be ${min} to ${max} characters long.`, argument);
  if (CONTROL_CHARACTERS.test(trimmed)) throw badUserInput(`"${argument}" must not contain control characters or line breaks.`, argument);
  return trimmed;
}

/** An id names a member that is not in the registry. */
export function unknownMember(memberId: string, argument?: string): GraphQLError {
  return new GraphQLError(`No alliance member has the id "${memberId}".`, {
    extensions: { code: 'UNKNOWN_MEMBER', member: memberId, ...(argument ? { argument } : {}) },
  });
}

/**
 * A member subgraph failed to answer. The message names the member (id and
 * name) and the kind of failure, never its endpoint.
 */
export function memberUnavailable(member: { id: string; name: string }, reason: string): GraphQLError {
  return new GraphQLError(
    `Member "${member.id}" (${member.name}) ${reason}; its data is missing from this response.`,
    { extensions: { code: 'MEMBER_UNAVAILABLE', member: member.id } },
  );
}

const URL_PATTERN = /\b(?:https?|postgres(?:ql)?|sqlite|file):\/\/[^\s"'<>)]+/gi;
const HOST_PORT_PATTERN = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b|\blocalhost(?::\d+)?\b/gi;

/** Removes URLs and host:port pairs from a message that is otherwise safe to show. */
export function scrubMessage(message: string): string {
  return message.replace(URL_PATTERN, '[address]').replace(HOST_PORT_PATTERN, '[address]');
}

function originalCode(error: unknown): string | undefined {
  if (error instanceof GraphQLError) {
    const code = error.extensions?.['code'];
    if (typeof code === 'string') return code;
    if (error.originalError) return originalCode(error.originalError);
  }
  return undefined;
}

// graphql-js words its token limit (lib/query-limits.ts) "Syntax Error: Document contains more that N tokens. Parsing aborted." (sic).
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] (\d+) tokens\. Parsing aborted\.$/;

/** A parser message about the token limit in words for people; anything else unchanged. */
function reworded(message: string): string {
  const limit = TOKEN_LIMIT.exec(message)?.[1];
  if (limit === undefined) return message;
  const n = Number(limit).toLocaleString('en-US');
  return `The query has more than ${n} tokens (limit ${n}): send a shorter document.`;
}

/**
 * SQLSTATEs a server sends when it cannot serve the connection: class 08 (connection exception), 57P01–57P03
 * (terminated by an administrator, crash shutdown, starting up or shutting down) and 53300 (too many
 * connections). Five-character SQLSTATEs come from the database only, so they cannot be mistaken for a call
 * to another service failing.
 */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
/** Socket errors of a client that cannot reach its database server (it is restarting, or the network is down). */
const UNREACHABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/**
 * What node-postgres and knex say, without a code, when a connection dies under a query or none can be had,
 * and PostgreSQL's refusal while a database does not accept connections (55000, also used for unrelated
 * states, hence the message). The driver's words come first, after MikroORM's "DriverException: " or after
 * the SQL text knex puts in front of a failed query's message ("select … - Connection terminated unexpectedly").
 * "Transaction query already complete" is what MikroORM passes on when the connection died under the
 * transaction's own BEGIN or COMMIT: knex marks the transaction complete, and the ROLLBACK that follows fails
 * with these words in place of the driver's.
 */
const UNAVAILABLE_MESSAGE =
  /(?:^|: | - )(?:Connection terminated|Connection ended unexpectedly|Client has encountered a connection error and is not queryable|Knex: Timeout acquiring a connection|database ".*" is not currently accepting connections|Transaction query already complete)/;

/**
 * Whether an error (or the error a GraphQLError wraps) says the service's database cannot be reached right now:
 * PostgreSQL restarting, failing over or refusing connections. Only the `originalError` chain is followed, not
 * `cause`: a failed HTTP call to another service carries the same socket codes in its cause.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth += 1) {
    const { code, name, message } = current as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNREACHABLE_SOCKET.has(code))) return true;
    if (name === 'ConnectionException' || name === 'KnexTimeoutError') return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
    current = current instanceof GraphQLError ? current.originalError : undefined;
  }
  return false;
}

/**
 * What a client is told when the database is away. It says what happened and what to do, and nothing of the
 * driver's text (database names, SQL, addresses). Callers of a member see it after the member's name.
 */
export const DATABASE_UNAVAILABLE_MESSAGE = 'A database this answer needs is unavailable for the moment (it may be restarting); try again in a few seconds.';

export interface MaskOptions {
  /** Called with errors whose message is hidden, so operators can still find them. */
  report?: (error: unknown) => void;
  /** Subgraph names are shown for services that failed as a whole (gateway only). */
  service?: string | undefined;
}

/**
 * Turns any error into what a client may see: public codes keep their message
 * (with addresses scrubbed) and a small set of extensions; a database that
 * cannot be reached becomes SERVICE_UNAVAILABLE saying so; everything else
 * becomes a generic INTERNAL_SERVER_ERROR. Never returns stack traces.
 */
export function maskError(formatted: GraphQLFormattedError, error: unknown, options: MaskOptions = {}): GraphQLFormattedError {
  const code = (formatted.extensions?.['code'] as string | undefined) ?? originalCode(error);
  const extensions: Record<string, unknown> = {};
  let message: string;
  if (code && PUBLIC_ERROR_CODES.has(code)) {
    message = scrubMessage(reworded(formatted.message));
    for (const key of PUBLIC_EXTENSION_KEYS) {
      const value = formatted.extensions?.[key];
      if (typeof value === 'string') extensions[key] = value;
    }
    extensions['code'] = code;
  } else if (isDatabaseUnavailable(error)) {
    // Still reported: operators need the driver's own words, clients need to know it is temporary.
    options.report?.(error);
    message = DATABASE_UNAVAILABLE_MESSAGE;
    extensions['code'] = 'SERVICE_UNAVAILABLE';
  } else {
    options.report?.(error);
    message = 'Internal server error.';
    extensions['code'] = 'INTERNAL_SERVER_ERROR';
  }
  return {
    message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions,
  };
}
