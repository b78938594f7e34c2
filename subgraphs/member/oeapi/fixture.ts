import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildOeapiDataset, type OeapiDataset, type OeapiDatasetOptions } from './dataset.js';
import { deterministicUuid } from './examples.js';
import { fixtureRoutes, matchRoute, RouteProblem, type FixtureKind, type ListRoute, type RouteQuery } from './fixture-routes.js';
import { loadOeapiSpec, MODIFIED_AT_FIELD, OEAPI_PAGE_SIZES, type JsonObject, type OeapiSpec } from './spec.js';
import { createOeapiValidator, type OeapiValidator } from './validator.js';

/*
 * A fixture OEAPI v6.0 server (node:http, no framework) standing in for a
 * member's student information system: the list and instance endpoints a
 * sync reads, the spec's paging (pageSize from its enum, pageNumber from 1,
 * the Pagination envelope), a modification filter through the spec's own
 * `filter_query[field][gt_date]` mechanism, required authentication, and
 * switchable faults for tests. It is test and development tooling: nothing
 * in the hub's runtime starts it.
 */

const DEFAULT_PAGE_SIZE = 10;


export interface OeapiFixtureAuth {
  /** Accepted bearer token (Authorization: Bearer …). */
  bearerToken?: string;
  /** Accepted basic credentials (Authorization: Basic …). */
  basic?: { username: string; password: string };
}

/** Faults a test can switch on; each applies to every path unless `path` (a template or a concrete path) narrows it. */
export interface OeapiFixtureFaults {
  /** Every connection is dropped without an answer. */
  down?: boolean;
  /** Every answer waits this long. */
  delayMs?: number;
  /** Page `pageNumber` of a list answers `status` (default 500), the first `times` requests for it (default: always). */
  failPage?: { pageNumber: number; status?: number; times?: number; path?: string };
  /** Lists never end: `hasNextPage` stays true; past the end, "repeat" serves the last page again, "fresh" invents new records. */
  pagesForever?: 'repeat' | 'fresh';
  /** Page `pageNumber` (default every page) answers 200 with a truncated JSON body. */
  invalidJson?: { pageNumber?: number; path?: string };
  /** The record with this id is served without `field` (a required one, for the validator to catch). */
  missingRequired?: { id: string; field: string };
  /** The modification filter is accepted but not applied (a server that ignores it). */
  ignoreModifiedFilter?: boolean;
}

export interface OeapiFixtureOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** A ready dataset, or options to build one (the spec is loaded for that when not given). */
  dataset?: OeapiDataset | OeapiDatasetOptions;
  faults?: OeapiFixtureFaults;
  /** Credentials the server accepts; default a bearer token, FIXTURE_BEARER_TOKEN. */
  auth?: OeapiFixtureAuth;
  spec?: OeapiSpec;
  validator?: OeapiValidator;
}

export interface OeapiFixtureRequest {
  method: string;
  path: string;
  search: string;
  template?: string;
  status: number;
}

export interface OeapiFixture {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  dataset: OeapiDataset;
  /** Every request answered so far, in order. */
  readonly requests: readonly OeapiFixtureRequest[];
  setFaults(faults: OeapiFixtureFaults): void;
  /** Changes a record (optional `change`) and stamps it modified now; returns the new modification time. */
  touch(kind: FixtureKind, id: string, change?: (record: JsonObject) => void): string;
  stop(): Promise<void>;
}

export const FIXTURE_BEARER_TOKEN = 'oeapi-fixture-token';

const ID_FIELDS: Record<FixtureKind, string> = {
  courses: 'courseId',
  courseOfferings: 'courseOfferingId',
  learningOutcomes: 'learningOutcomeId',
  persons: 'personId',
  associations: 'associationId',
};

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function authorised(header: string | undefined, auth: OeapiFixtureAuth): boolean {
  if (!header) return false;
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer' && auth.bearerToken !== undefined) return sameSecret(value, auth.bearerToken);
  if (scheme?.toLowerCase() === 'basic' && auth.basic) return sameSecret(value, Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64'));
  return false;
}

function readPath(record: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), record);
}

/** A record's own id: offerings also carry their course's id, associations their person's, so the order matters. */
function ownId(record: JsonObject): unknown {
  const field = ['associationId', 'courseOfferingId', 'learningOutcomeId', 'personId', 'courseId', 'academicSessionId', 'organisationId'].find((name) => name in record);
  return field ? record[field] : undefined;
}

function faultApplies(path: string | undefined, template: string, pathname: string): boolean {
  return path === undefined || path === template || path === pathname;
}

/** Starts the fixture server; resolves once it listens. */
export async function startOeapiFixture(options: OeapiFixtureOptions = {}): Promise<OeapiFixture> {
  const given = options.dataset;
  let dataset: OeapiDataset;
  if (given && 'courses' in given && Array.isArray(given.courses)) dataset = given as OeapiDataset;
  else {
    const spec = options.spec ?? loadOeapiSpec();
    dataset = buildOeapiDataset(spec, options.validator ?? createOeapiValidator(spec), given as OeapiDatasetOptions | undefined);
  }
  const auth = options.auth ?? { bearerToken: FIXTURE_BEARER_TOKEN };
  let faults: OeapiFixtureFaults = { ...options.faults };
  const failures = new Map<string, number>();
  const requests: OeapiFixtureRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const routes = fixtureRoutes(dataset);
  const today = `${dataset.referenceDate}T00:00:00Z`;
  // Changes made through touch() are stamped after everything in the dataset, one second apart.
  let clock = 0;
  for (const kind of Object.keys(ID_FIELDS) as FixtureKind[]) {
    for (const record of dataset[kind]) clock = Math.max(clock, Date.parse(String(readPath(record, MODIFIED_AT_FIELD) ?? 0)) || 0);
  }

  function send(request: IncomingMessage, response: ServerResponse, record: OeapiFixtureRequest, status: number, body: unknown, contentType = 'application/json'): void {
    requests.push({ ...record, status });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    response.end(request.method === 'HEAD' ? undefined : text);
  }

  function problem(request: IncomingMessage, response: ServerResponse, record: OeapiFixtureRequest, status: number, title: string, detail: string, headers: Record<string, string> = {}): void {
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    const host = request.headers.host ?? '127.0.0.1';
    const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    send(request, response, record, status, { type: `https://${host}/problems/${slug}`, title, status, detail, instance: `http://${host}${record.path}` }, 'application/problem+json');
  }

  function withoutMissingField(record: JsonObject): JsonObject {
    const fault = faults.missingRequired;
    if (!fault || ownId(record) !== fault.id) return record;
    const copy = { ...record };
    delete copy[fault.field];
    return copy;
  }

  function modifiedFilter(search: URLSearchParams): ((record: JsonObject) => boolean) | undefined {
    const tests: ((record: JsonObject) => boolean)[] = [];
    for (const [key, value] of search) {
      const match = /^filter_query\[([^\]]+)\]\[([a-z_]+)\]$/.exec(key);
      if (!match) continue;
      const [, field, operation] = match;
      const moment = Date.parse(value);
      if (field !== MODIFIED_AT_FIELD || (operation !== 'gt_date' && operation !== 'lt_date') || Number.isNaN(moment)) {
        throw new RouteProblem(400, 'Invalid request parameters', `Filtering supports only filter_query[${MODIFIED_AT_FIELD}][gt_date|lt_date] with an RFC 3339 date-time.`);
      }
      tests.push((record) => {
        const stamp = Date.parse(String(readPath(record, MODIFIED_AT_FIELD)));
        return operation === 'gt_date' ? stamp > moment : stamp < moment;
      });
    }
    if (tests.length === 0 || faults.ignoreModifiedFilter) return undefined;
    return (record) => tests.every((test) => test(record));
  }

  function page(route: ListRoute, query: RouteQuery, pathname: string): { status: number; body: unknown } {
    const { search } = query;
    const pageSize = search.has('pageSize') ? Number(search.get('pageSize')) : DEFAULT_PAGE_SIZE;
    const pageNumber = search.has('pageNumber') ? Number(search.get('pageNumber')) : 1;
    if (!OEAPI_PAGE_SIZES.includes(pageSize as (typeof OEAPI_PAGE_SIZES)[number])) throw new RouteProblem(400, 'Invalid request parameters', `The query parameter 'pageSize' must be one of: ${OEAPI_PAGE_SIZES.join(', ')}.`);
    if (!Number.isInteger(pageNumber) || pageNumber < 1) throw new RouteProblem(400, 'Invalid request parameters', "The query parameter 'pageNumber' must be an integer from 1.");
    const filter = modifiedFilter(search);
    const all = route.list(query).filter((record) => !filter || filter(record));
    const totalPages = Math.max(1, Math.ceil(all.length / pageSize));
    let items = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    let hasNextPage = pageNumber < totalPages;
    if (faults.pagesForever) {
      hasNextPage = true;
      if (pageNumber > totalPages) {
        items =
          faults.pagesForever === 'repeat'
            ? all.slice((totalPages - 1) * pageSize, totalPages * pageSize)
            : all.slice(0, pageSize).map((record, index) => ({ ...record, [route.idField]: deterministicUuid(`fresh:${pathname}:${pageNumber}:${index}`) }));
      }
    }
    return {
      status: 200,
      body: { pageSize, pageNumber, hasPreviousPage: pageNumber > 1, hasNextPage, ...(faults.pagesForever ? {} : { totalPages }), items: items.map(withoutMissingField) },
    };
  }

  function answer(request: IncomingMessage, response: ServerResponse): void {
    // Parsed by hand: `new URL("//x", base)` would read a path starting with "//" as a host.
    const target = request.url ?? '/';
    const queryAt = target.indexOf('?');
    const url = { pathname: queryAt < 0 ? target : target.slice(0, queryAt), search: queryAt < 0 ? '' : target.slice(queryAt), searchParams: new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1)) };
    const record: OeapiFixtureRequest = { method: request.method ?? 'GET', path: url.pathname, search: url.search, status: 0 };
    if (faults.down) {
      requests.push({ ...record, status: 0 });
      request.socket.destroy();
      return;
    }
    let matched: ReturnType<typeof matchRoute>;
    try {
      matched = matchRoute(routes, url.pathname.replace(/\/+$/, '') || '/');
    } catch {
      problem(request, response, record, 400, 'Invalid request parameters', 'The path is not a valid URI path.');
      return;
    }
    if (matched) record.template = matched.route.template;
    if (!authorised(request.headers.authorization, auth)) {
      const challenges = [auth.bearerToken !== undefined ? 'Bearer realm="oeapi"' : '', auth.basic ? 'Basic realm="oeapi"' : ''].filter(Boolean).join(', ');
      problem(request, response, record, 401, 'Unauthorized', 'Authentication credentials were missing or invalid.', { 'www-authenticate': challenges });
      return;
    }
    if (!matched) {
      problem(request, response, record, 404, 'Resource not found', `The endpoint '${url.pathname}' does not exist or is not accessible.`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      problem(request, response, record, 405, 'Method not allowed', `The method ${request.method ?? ''} is not supported for this endpoint.`, { allow: 'GET, HEAD' });
      return;
    }
    const { route, params } = matched;
    const pageNumber = Number(url.searchParams.get('pageNumber') ?? 1);
    const failPage = faults.failPage;
    if (route.kind === 'list' && failPage && failPage.pageNumber === pageNumber && faultApplies(failPage.path, route.template, url.pathname)) {
      const key = `${url.pathname}|${pageNumber}`;
      const count = failures.get(key) ?? 0;
      if (count < (failPage.times ?? Number.POSITIVE_INFINITY)) {
        failures.set(key, count + 1);
        problem(request, response, record, failPage.status ?? 500, 'Internal server error', 'An unexpected error occurred while processing your request.');
        return;
      }
    }
    const invalid = faults.invalidJson;
    if (route.kind === 'list' && invalid && (invalid.pageNumber === undefined || invalid.pageNumber === pageNumber) && faultApplies(invalid.path, route.template, url.pathname)) {
      send(request, response, record, 200, '{"pageSize": 10, "pageNumber": 1, "items": [{"courseId": "');
      return;
    }
    try {
      const query: RouteQuery = { params, search: url.searchParams, today };
      if (route.kind === 'list') {
        const { status, body } = page(route, query, url.pathname);
        send(request, response, record, status, body);
        return;
      }
      const found = route.get(query);
      if (!found) {
        problem(request, response, record, 404, 'Resource not found', `No resource with that id at '${route.template}'.`);
        return;
      }
      send(request, response, record, 200, withoutMissingField(found));
    } catch (error) {
      if (error instanceof RouteProblem) problem(request, response, record, error.status, error.title, error.message);
      else problem(request, response, record, 500, 'Internal server error', 'An unexpected error occurred while processing your request.');
    }
  }

  const server = createServer((request, response) => {
    const delay = faults.delayMs ?? 0;
    if (delay <= 0) {
      answer(request, response);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!response.destroyed) answer(request, response);
    }, delay);
    timers.add(timer);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;

  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    port,
    dataset,
    requests,
    setFaults(next) {
      faults = { ...next };
      failures.clear();
    },
    touch(kind, id, change) {
      const found = (dataset[kind] as unknown as JsonObject[]).find((candidate) => candidate[ID_FIELDS[kind]] === id);
      if (!found) throw new Error(`The fixture has no ${kind} record ${id}.`);
      change?.(found);
      clock += 1000;
      const modifiedAt = new Date(clock).toISOString();
      found['ext'] = { ...(found['ext'] as JsonObject | undefined), modifiedAt };
      return modifiedAt;
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
