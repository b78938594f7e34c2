/*
 * The OEAPI client's errors. A message names the server by the host of the
 * configured base URL and the request by its path relative to that URL, never
 * the full address, the query, a credential or a raw upstream body: sync
 * errors end up in logs and on staff screens, and the member's SIS may sit on
 * an internal network whose addresses are nobody else's business.
 */

export type OeapiErrorCode =
  /** No connection (refused, reset, DNS), after the retries. */
  | 'UNREACHABLE'
  /** No complete answer within the per-request timeout, after the retries. */
  | 'TIMEOUT'
  /** 401: the credentials were refused. */
  | 'UNAUTHORIZED'
  /** 403: the credentials do not grant this. */
  | 'FORBIDDEN'
  /** 404 on an instance endpoint handled as an error (lists never 404 in the spec). */
  | 'NOT_FOUND'
  /** A redirect, which is not followed so that credentials never travel to another address. */
  | 'REDIRECT'
  /** Any other HTTP error status (5xx and 429 after the retries). */
  | 'HTTP_STATUS'
  /** A 2xx answer whose body is not JSON. */
  | 'INVALID_JSON'
  /** A 2xx answer that is JSON but not what the spec says (the page envelope, not a record). */
  | 'INVALID_RESPONSE'
  /** A record that breaks the spec, when the client is set to fail on those (or a single-record get). */
  | 'INVALID_RECORD'
  /** More pages than `maxPages`: the server kept saying there is a next page. */
  | 'PAGING_LIMIT'
  /** The server answered a page it had already answered (or another page than asked for). */
  | 'PAGING_LOOP'
  /** The caller's AbortSignal fired. */
  | 'ABORTED';

export interface OeapiErrorDetails {
  code: OeapiErrorCode;
  /** host[:port] of the configured base URL. */
  host: string;
  method: string;
  /** Path relative to the base URL, without the query. */
  path: string;
  pageNumber?: number;
  status?: number;
  /** Requests made for this call, retries included. */
  attempts: number;
  /** Whether trying the same call later may succeed (network, timeout, 5xx, 429). */
  retryable: boolean;
}

export class OeapiError extends Error {
  readonly code: OeapiErrorCode;
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly pageNumber: number | undefined;
  readonly status: number | undefined;
  readonly attempts: number;
  readonly retryable: boolean;

  constructor(details: OeapiErrorDetails, reason: string) {
    const page = details.pageNumber === undefined ? '' : ` (page ${details.pageNumber})`;
    const attempts = details.attempts > 1 ? ` after ${details.attempts} attempts` : '';
    super(`OEAPI server ${details.host}: ${details.method} ${details.path}${page}: ${reason}${attempts}.`);
    this.name = 'OeapiError';
    this.code = details.code;
    this.host = details.host;
    this.method = details.method;
    this.path = details.path;
    this.pageNumber = details.pageNumber;
    this.status = details.status;
    this.attempts = details.attempts;
    this.retryable = details.retryable;
  }
}

/**
 * Makes upstream text (a Problem's title or detail) safe to repeat: one line,
 * at most `limit` characters, every known secret replaced, and every URL
 * outside the configured base URL reduced to "[url]".
 */
export function sanitizeUpstreamText(text: string, baseUrl: string, secrets: readonly string[], limit = 200): string {
  let safe = text.replace(/\s+/g, ' ').trim();
  for (const secret of secrets) if (secret.length >= 4) safe = safe.split(secret).join('[redacted]');
  safe = safe.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => (url.startsWith(baseUrl) ? url : '[url]'));
  return safe.length > limit ? `${safe.slice(0, limit - 1)}…` : safe;
}

/** What a failed fetch was, from undici's error and its cause's code. */
export function networkReason(error: unknown, timeoutMs: number): { code: 'TIMEOUT' | 'UNREACHABLE'; reason: string } {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { code: 'TIMEOUT', reason: `no complete answer within ${timeoutMs} ms` };
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host name not found',
    EAI_AGAIN: 'host name lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed without an answer',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  };
  return { code: 'UNREACHABLE', reason: `could not be reached (${(code && words[code]) ?? 'network error'})` };
}
