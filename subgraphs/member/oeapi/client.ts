import type { Response } from 'undici';
import { createHttpClient, type HttpClient } from '../../../lib/http-client.js';
import { networkReason, OeapiError, sanitizeUpstreamText, type OeapiErrorCode } from './client-errors.js';
import { loadOeapiSpec, MODIFIED_AT_FIELD, OEAPI_PAGE_SIZES, type JsonObject, type OeapiSpec } from './spec.js';
import type { OeapiCourse, OeapiCourseOffering, OeapiCourseOfferingAssociation, OeapiLearningOutcome, OeapiPage, OeapiPerson } from './types.js';
import { createOeapiValidator, formatIssues, type OeapiValidationIssue, type OeapiValidator } from './validator.js';

/*
 * A read-only OEAPI v6.0 client for the sync: async iterators over the list
 * endpoints, following the spec's paging (pageNumber from 1, pageSize from
 * the spec's enum, until `hasNextPage` is false), with a deadline on every
 * request, bounded retries with backoff on what may pass (network errors,
 * timeouts, 5xx, 429), every page validated against oeapi.yaml, and guards
 * against servers that page forever. It never writes to the member's system.
 */

export type OeapiAuth =
  | { type: 'bearer'; token: string | (() => string | Promise<string>) }
  | { type: 'basic'; username: string; password: string }
  /** For servers behind another layer of authentication (mTLS, a gateway); the spec itself prescribes none. */
  | { type: 'none' };

export type OeapiPageSize = (typeof OEAPI_PAGE_SIZES)[number];

export interface OeapiClientOptions {
  /** The member's OEAPI root, e.g. https://oeapi.utwente.nl/v6 (no credentials, query or fragment). */
  baseUrl: string;
  auth: OeapiAuth;
  /** Deadline of each request, body included; default 10 000 ms. */
  timeoutMs?: number;
  /** Records per page, one of the spec's enum (10, 20, 50, 100, 250); default 100. */
  pageSize?: OeapiPageSize;
  /** Pages one listing may take before it is stopped as endless; default 1 000. */
  maxPages?: number;
  /** Extra attempts after a retryable failure; default 2 (three requests at most). */
  retries?: number;
  /** First backoff; doubled per retry, with jitter, capped by maxBackoffMs; default 250 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * What a record that breaks the spec does to its page: "skip" (default) leaves
   * it out and reports it (`rejected`, `onRejected`), "fail" throws INVALID_RECORD.
   */
  invalidRecords?: 'skip' | 'fail';
  /** Dotted path of the modification time in records and in filter_query; default "ext.modifiedAt". */
  modifiedField?: string;
  /** `since` sent to offering lists (the spec defaults them to future offerings only); default 1970-01-01T00:00:00Z. */
  offeringsSince?: string;
  spec?: OeapiSpec;
  validator?: OeapiValidator;
  /** Largest response body read; a bigger one fails as INVALID_RESPONSE instead of filling memory; default 32 MiB. */
  maxResponseBytes?: number;
  /** Jitter source, for tests; default Math.random. */
  random?: () => number;
}

/** A record left out of a page because it breaks the spec. */
export interface OeapiRejectedRecord {
  path: string;
  pageNumber: number;
  index: number;
  id: string | undefined;
  problems: OeapiValidationIssue[];
  /** One line per problem, e.g. `/items/3/name (courseId …): must have required property "name"`. */
  message: string;
}

/** One page of a listing, as the client hands it on. */
export interface OeapiClientPage<T> {
  pageNumber: number;
  items: T[];
  rejected: OeapiRejectedRecord[];
  hasNextPage: boolean;
  totalPages: number | undefined;
  /** Records already yielded by an earlier page of this listing (moved while paging), left out. */
  duplicates: number;
  /** Records at or before `modifiedSince` that a server ignoring the filter sent anyway, left out. */
  filteredOut: number;
  /** Records without a modification time while `modifiedSince` was asked: passed on, the server's filter trusted. */
  withoutModifiedAt: number;
  /** The server's clock when it answered (its Date header, ISO), for watermarks that do not depend on the sync's clock. */
  serverDate: string | undefined;
}

export interface OeapiListOptions {
  /** Only records modified after this moment (exclusive), through filter_query[<modifiedField>][gt_date]. */
  modifiedSince?: Date | string;
  /** Further query parameters (e.g. { affiliations: 'student' }). */
  query?: Record<string, string>;
  signal?: AbortSignal;
  /** Called for each record a page left out (with invalidRecords "skip"). */
  onRejected?: (record: OeapiRejectedRecord) => void;
}

export interface OeapiClient {
  /** Pages of any list endpoint (path relative to the base URL, e.g. "/courses"). */
  pages<T extends JsonObject>(path: string, options?: OeapiListOptions): AsyncGenerator<OeapiClientPage<T>>;
  courses(options?: OeapiListOptions): AsyncGenerator<OeapiCourse>;
  /** A course's offerings, or all offerings of an organisation (the spec has no top-level offering list). */
  courseOfferings(of: { courseId: string } | { organisationId: string }, options?: OeapiListOptions): AsyncGenerator<OeapiCourseOffering>;
  persons(options?: OeapiListOptions): AsyncGenerator<OeapiPerson>;
  /** Course-offering associations (with their results) of an offering or of a person. */
  associations(of: { courseOfferingId: string } | { personId: string }, options?: OeapiListOptions): AsyncGenerator<OeapiCourseOfferingAssociation>;
  learningOutcomes(options?: OeapiListOptions): AsyncGenerator<OeapiLearningOutcome>;
  /** One record by path, validated; null on 404. */
  get<T extends JsonObject>(path: string, options?: { signal?: AbortSignal }): Promise<T | null>;
  close(): Promise<void>;
}

const ID_FIELDS = ['associationId', 'courseOfferingId', 'learningOutcomeId', 'personId', 'courseId', 'academicSessionId', 'organisationId'];

function ownId(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const field = ID_FIELDS.find((name) => typeof (record as JsonObject)[name] === 'string');
  return field ? ((record as JsonObject)[field] as string) : undefined;
}

function readDotted(record: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as JsonObject)[key] : undefined), record);
}

/** The base URL as "origin + path" without a trailing slash, after refusing what must not be in it. */
function checkedBaseUrl(raw: string): { text: string; host: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('OEAPI client: baseUrl is not a URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('OEAPI client: baseUrl must be http(s).');
  if (url.username || url.password) throw new Error('OEAPI client: put credentials in `auth`, not in baseUrl.');
  if (url.search || url.hash) throw new Error('OEAPI client: baseUrl must not have a query or fragment.');
  // Not through the URL object: it would turn an empty path back into "/".
  return { text: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, host: url.host };
}

/** The body as text, or undefined once it passes `limit` bytes (the rest is not read). */
async function readLimited(response: Response, limit: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function createOeapiClient(options: OeapiClientOptions): OeapiClient {
  const { text: baseText, host } = checkedBaseUrl(options.baseUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pageSize = options.pageSize ?? 100;
  const maxPages = options.maxPages ?? 1_000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const invalidRecords = options.invalidRecords ?? 'skip';
  const modifiedField = options.modifiedField ?? MODIFIED_AT_FIELD;
  const offeringsSince = options.offeringsSince ?? '1970-01-01T00:00:00Z';
  const random = options.random ?? Math.random;
  const maxResponseBytes = options.maxResponseBytes ?? 32 * 1024 * 1024;
  if (!OEAPI_PAGE_SIZES.includes(pageSize)) throw new Error(`OEAPI client: pageSize must be one of ${OEAPI_PAGE_SIZES.join(', ')} (the spec's enum).`);
  if (!(timeoutMs > 0) || !(maxPages >= 1) || !(retries >= 0)) throw new Error('OEAPI client: timeoutMs and maxPages must be positive, retries not negative.');
  const auth = options.auth;
  const secrets = auth.type === 'basic' ? [auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString('base64')] : auth.type === 'bearer' && typeof auth.token === 'string' ? [auth.token] : [];
  const validator = options.validator ?? createOeapiValidator(options.spec ?? loadOeapiSpec());
  const http: HttpClient = createHttpClient({ connections: 4 });

  async function authorization(): Promise<Record<string, string>> {
    if (auth.type === 'basic') return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
    if (auth.type === 'bearer') {
      const token = typeof auth.token === 'function' ? await auth.token() : auth.token;
      if (!secrets.includes(token)) {
        secrets.push(token);
        // Rotating tokens: the configured one plus the last few are enough to redact.
        if (secrets.length > 8) secrets.splice(1, 1);
      }
      return { authorization: `Bearer ${token}` };
    }
    return {};
  }

  function problemText(text: string, contentType: string): string {
    if (!contentType.includes('json')) return '';
    try {
      const problem = JSON.parse(text) as { title?: unknown; detail?: unknown };
      const parts = [problem.title, problem.detail].filter((part): part is string => typeof part === 'string' && part.length > 0);
      return parts.length ? ` (${sanitizeUpstreamText(parts.join(': '), baseText, secrets)})` : '';
    } catch {
      return '';
    }
  }

  /** One GET with retries; resolves with the status, parsed body and Date header of a 2xx or 404 answer. */
  async function request(path: string, query: URLSearchParams, pageNumber: number | undefined, signal?: AbortSignal): Promise<{ status: number; body: unknown; date?: string }> {
    const url = `${baseText}${path}${query.size ? `?${query}` : ''}`;
    let attempts = 0;
    const fail = (code: OeapiErrorCode, reason: string, extra: { status?: number; retryable?: boolean } = {}): OeapiError =>
      new OeapiError({ code, host, method: 'GET', path, ...(pageNumber === undefined ? {} : { pageNumber }), ...(extra.status === undefined ? {} : { status: extra.status }), attempts, retryable: extra.retryable ?? false }, reason);
    for (;;) {
      attempts += 1;
      let retry: { error: OeapiError; afterMs?: number };
      let headers: Record<string, string>;
      try {
        headers = { accept: 'application/json, application/problem+json', ...(await authorization()) };
      } catch {
        // The provider's own message may carry what it was given: not repeated.
        throw fail('UNAUTHORIZED', 'the bearer token provider failed');
      }
      try {
        const response = await http.fetch(url, { method: 'GET', headers, redirect: 'manual', timeoutMs, ...(signal ? { signal } : {}) });
        const text = await readLimited(response, maxResponseBytes);
        if (text === undefined) throw fail('INVALID_RESPONSE', `answered more than ${maxResponseBytes} bytes (maxResponseBytes)`, { status: response.status });
        const contentType = response.headers.get('content-type') ?? '';
        if (response.status >= 200 && response.status < 300) {
          const date = Date.parse(response.headers.get('date') ?? '');
          try {
            return { status: response.status, body: JSON.parse(text) as unknown, ...(Number.isNaN(date) ? {} : { date: new Date(date).toISOString() }) };
          } catch {
            throw fail('INVALID_JSON', `answered HTTP ${response.status} with a body that is not JSON (${text.length} bytes)`);
          }
        }
        if (response.status === 404) return { status: 404, body: undefined };
        if (response.status === 401) throw fail('UNAUTHORIZED', `credentials refused (HTTP 401)${problemText(text, contentType)}`, { status: 401 });
        if (response.status === 403) throw fail('FORBIDDEN', `access denied (HTTP 403)${problemText(text, contentType)}`, { status: 403 });
        if (response.status >= 300 && response.status < 400) throw fail('REDIRECT', `answered with a redirect (HTTP ${response.status}), not followed`, { status: response.status });
        const error = fail('HTTP_STATUS', `answered HTTP ${response.status}${problemText(text, contentType)}`, { status: response.status, retryable: response.status >= 500 || response.status === 429 });
        if (!error.retryable) throw error;
        const retryAfter = Number(response.headers.get('retry-after'));
        retry = Number.isFinite(retryAfter) && retryAfter > 0 ? { error, afterMs: retryAfter * 1000 } : { error };
      } catch (error) {
        if (error instanceof OeapiError) throw error;
        if (signal?.aborted) throw fail('ABORTED', 'cancelled by the caller');
        const { code, reason } = networkReason(error, timeoutMs);
        retry = { error: fail(code, reason, { retryable: true }) };
      }
      if (attempts > retries) throw retry.error;
      const backoff = Math.min(maxBackoffMs, retry.afterMs ?? backoffMs * 2 ** (attempts - 1) * (0.5 + random() / 2));
      try {
        await sleep(backoff, signal);
      } catch {
        throw fail('ABORTED', 'cancelled by the caller');
      }
    }
  }

  function invalid(path: string, pageNumber: number | undefined, code: OeapiErrorCode, reason: string): OeapiError {
    return new OeapiError({ code, host, method: 'GET', path, ...(pageNumber === undefined ? {} : { pageNumber }), attempts: 1, retryable: false }, reason);
  }

  async function* pages<T extends JsonObject>(path: string, listOptions: OeapiListOptions = {}): AsyncGenerator<OeapiClientPage<T>> {
    const since = listOptions.modifiedSince === undefined ? undefined : new Date(listOptions.modifiedSince);
    if (since && Number.isNaN(since.getTime())) throw new Error('OEAPI client: modifiedSince is not a date.');
    const seen = new Set<string>();
    for (let pageNumber = 1; ; pageNumber += 1) {
      if (pageNumber > maxPages) {
        throw invalid(path, undefined, 'PAGING_LIMIT', `stopped after ${maxPages} pages (maxPages): the server still said hasNextPage`);
      }
      const query = new URLSearchParams({ ...listOptions.query, pageSize: String(pageSize), pageNumber: String(pageNumber) });
      if (since) query.set(`filter_query[${modifiedField}][gt_date]`, since.toISOString());
      const { status, body, date } = await request(path, query, pageNumber, listOptions.signal);
      if (status === 404) throw invalid(path, pageNumber, 'NOT_FOUND', 'answered HTTP 404: the list endpoint does not exist there');
      const issues = validator.validateOeapiResponse(path, 'GET', 200, body);
      const envelope = issues.filter((issue) => issue.recordIndex === undefined);
      if (envelope.length > 0) throw invalid(path, pageNumber, 'INVALID_RESPONSE', `answered a page that breaks OEAPI ${validator.spec.version}:\n${formatIssues(envelope)}`);
      const pageBody = body as OeapiPage<T>;
      if (pageBody.pageNumber !== pageNumber) throw invalid(path, pageNumber, 'PAGING_LOOP', `answered page ${pageBody.pageNumber} when asked for page ${pageNumber}`);
      const byRecord = new Map<number, OeapiValidationIssue[]>();
      for (const issue of issues) byRecord.set(issue.recordIndex as number, [...(byRecord.get(issue.recordIndex as number) ?? []), issue]);
      const ids = pageBody.items.map(ownId);
      if (ids.length > 0 && ids.every((id) => id !== undefined && seen.has(id))) {
        throw invalid(path, pageNumber, 'PAGING_LOOP', 'answered a page whose records were all on earlier pages: it is repeating itself');
      }
      const result: OeapiClientPage<T> = { pageNumber, items: [], rejected: [], hasNextPage: pageBody.hasNextPage, totalPages: pageBody.totalPages ?? undefined, duplicates: 0, filteredOut: 0, withoutModifiedAt: 0, serverDate: date };
      pageBody.items.forEach((item, index) => {
        const problems = byRecord.get(index);
        const id = ids[index];
        if (problems) {
          const rejected: OeapiRejectedRecord = { path, pageNumber, index, id, problems, message: formatIssues(problems) };
          if (invalidRecords === 'fail') throw invalid(path, pageNumber, 'INVALID_RECORD', `answered a record that breaks OEAPI ${validator.spec.version}:\n${rejected.message}`);
          result.rejected.push(rejected);
          listOptions.onRejected?.(rejected);
          return;
        }
        if (id !== undefined && seen.has(id)) {
          result.duplicates += 1;
          return;
        }
        if (since) {
          const modifiedAt = Date.parse(String(readDotted(item, modifiedField) ?? ''));
          if (Number.isNaN(modifiedAt)) result.withoutModifiedAt += 1;
          else if (modifiedAt <= since.getTime()) {
            result.filteredOut += 1;
            return;
          }
        }
        if (id !== undefined) seen.add(id);
        result.items.push(item);
      });
      for (const id of ids) if (id !== undefined) seen.add(id);
      yield result;
      if (!pageBody.hasNextPage) return;
    }
  }

  async function* records<T extends JsonObject>(path: string, listOptions?: OeapiListOptions): AsyncGenerator<T> {
    for await (const page of pages<T>(path, listOptions)) yield* page.items;
  }

  const segment = encodeURIComponent;
  const withSince = (listOptions: OeapiListOptions = {}): OeapiListOptions => ({ ...listOptions, query: { since: offeringsSince, ...listOptions.query } });

  return {
    pages,
    courses: (listOptions) => records<OeapiCourse>('/courses', listOptions),
    courseOfferings: (of, listOptions) =>
      records<OeapiCourseOffering>('courseId' in of ? `/courses/${segment(of.courseId)}/course-offerings` : `/organisations/${segment(of.organisationId)}/course-offerings`, withSince(listOptions)),
    persons: (listOptions) => records<OeapiPerson>('/persons', listOptions),
    associations: (of, listOptions) =>
      records<OeapiCourseOfferingAssociation>(
        'courseOfferingId' in of ? `/course-offerings/${segment(of.courseOfferingId)}/course-offering-associations` : `/persons/${segment(of.personId)}/course-offering-associations`,
        listOptions,
      ),
    learningOutcomes: (listOptions) => records<OeapiLearningOutcome>('/learning-outcomes', listOptions),
    async get<T extends JsonObject>(path: string, getOptions: { signal?: AbortSignal } = {}): Promise<T | null> {
      const [pathOnly = '', search = ''] = path.split('?', 2);
      const { status, body } = await request(pathOnly, new URLSearchParams(search), undefined, getOptions.signal);
      if (status === 404) return null;
      const issues = validator.validateOeapiResponse(pathOnly, 'GET', 200, body);
      if (issues.length > 0) throw invalid(pathOnly, undefined, 'INVALID_RECORD', `answered a record that breaks OEAPI ${validator.spec.version}:\n${formatIssues(issues)}`);
      return body as T;
    },
    close: () => http.close(),
  };
}
