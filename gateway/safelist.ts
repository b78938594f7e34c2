import type { Request, RequestHandler, Response } from 'express';
import { parse } from 'graphql';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../lib/config.js';

/*
 * A persisted-operation safelist for the portal: with SAFELIST_FILE set, the
 * gateway runs only the operations of the portal's persisted query manifest
 * (the format `@apollo/generate-persisted-query-manifest` writes), sent by
 * hash or as their exact text. Every other document is refused before Apollo
 * Server parses it, so nobody can explore or stress the graph with
 * hand-written queries.
 */

export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

export interface SafelistOperation {
  /** sha256 of `body`, lower-case hex (the APQ hash clients send). */
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export interface Safelist {
  /** The registered operations by id. */
  readonly operations: ReadonlyMap<string, SafelistOperation>;
}

export const NOT_IN_SAFELIST = 'OPERATION_NOT_IN_SAFELIST';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const OPERATION_TYPES: ReadonlySet<string> = new Set(['query', 'mutation', 'subscription']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a parsed manifest and returns its operations; `source` names the
 * file in errors. Refuses ids that are not the sha256 of their body: the
 * gateway recognises an operation sent as text by hashing it, and Apollo
 * Server checks a sent hash against the text, so any other id scheme (a
 * custom `createOperationId`) could never match.
 */
export function parseSafelist(manifest: unknown, source: string): Safelist {
  const fail = (problem: string) => new ConfigError(`SAFELIST_FILE ${source} ${problem}`);
  if (!isRecord(manifest) || manifest['format'] !== MANIFEST_FORMAT) {
    throw fail(`is not a persisted query manifest: "format" must be "${MANIFEST_FORMAT}" (as written by @apollo/generate-persisted-query-manifest).`);
  }
  if (manifest['version'] !== 1) throw fail(`has manifest version ${JSON.stringify(manifest['version'])}; only version 1 is supported.`);
  const list = manifest['operations'];
  if (!Array.isArray(list) || list.length === 0) {
    throw fail('lists no operations ("operations" must be a non-empty array); with it the gateway would refuse every request.');
  }
  const operations = new Map<string, SafelistOperation>();
  list.forEach((entry: unknown, index) => {
    const where = `operation ${index + 1}${isRecord(entry) && typeof entry['name'] === 'string' ? ` ("${entry['name']}")` : ''}`;
    if (!isRecord(entry)) throw fail(`has ${where} that is not an object.`);
    const { id, name, type, body } = entry;
    if (typeof body !== 'string' || body.trim() === '') throw fail(`has ${where} without a "body" (the operation's text).`);
    if (typeof name !== 'string') throw fail(`has ${where} without a "name".`);
    if (typeof type !== 'string' || !OPERATION_TYPES.has(type)) throw fail(`has ${where} whose "type" is not query, mutation or subscription.`);
    if (typeof id !== 'string') throw fail(`has ${where} without an "id".`);
    const expected = sha256Hex(body);
    if (id !== expected) {
      throw fail(`has ${where} whose id ${id} is not the sha256 of its body (that is ${expected}); regenerate the manifest with the default operation ids.`);
    }
    try {
      parse(body);
    } catch (error) {
      throw fail(`has ${where} whose body is not a GraphQL document: ${(error as Error).message}`);
    }
    operations.set(id, { id, name, type: type as SafelistOperation['type'], body });
  });
  return { operations };
}

/** Reads and checks the manifest at `path` (ConfigError naming the problem when it cannot be used). */
export function readSafelist(path: string): Safelist {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`SAFELIST_FILE ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`SAFELIST_FILE ${path} is not JSON: ${(error as Error).message}.`);
  }
  return parseSafelist(manifest, path);
}

/** What a request asks to run, from a POST body or a GET query string. */
interface Requested {
  query?: unknown;
  operationName?: unknown;
  hash?: unknown;
  /** Sets the operation's text when the request sent only its hash. */
  fillQuery(body: string): void;
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
const HASH = /^[0-9a-f]{64}$/i;

function persistedHash(extensions: unknown): unknown {
  return isRecord(extensions) && isRecord(extensions['persistedQuery']) ? extensions['persistedQuery']['sha256Hash'] : undefined;
}

function fromPost(request: Request): Requested | undefined {
  const body: unknown = request.body;
  // Batches are off (Apollo Server refuses them); a non-JSON body has nothing to check.
  if (!isRecord(body)) return undefined;
  return {
    query: body['query'],
    operationName: body['operationName'],
    hash: persistedHash(body['extensions']),
    fillQuery: (text) => {
      body['query'] = text;
    },
  };
}

function fromGet(request: Request): Requested | undefined {
  // Apollo Server's Express integration reads GET parameters from `request.url`, so that is what is read and rewritten.
  const url = new URL(request.url, 'http://gateway.invalid');
  let extensions: unknown;
  const rawExtensions = url.searchParams.get('extensions');
  if (rawExtensions !== null) {
    try {
      extensions = JSON.parse(rawExtensions);
    } catch {
      return undefined;
    }
  }
  return {
    query: url.searchParams.get('query') ?? undefined,
    operationName: url.searchParams.get('operationName') ?? undefined,
    hash: persistedHash(extensions),
    fillQuery: (text) => {
      url.searchParams.set('query', text);
      request.url = `${url.pathname}${url.search}`;
    },
  };
}

/** Names what was refused without echoing arbitrary client text. */
function describe(requested: Requested | undefined): string {
  if (!requested) return 'a request without a readable operation';
  if (typeof requested.query === 'string' && requested.query !== '') {
    const name = typeof requested.operationName === 'string' ? requested.operationName : /^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(requested.query)?.[1];
    return name && NAME.test(name) ? `operation "${name}"` : 'the operation sent';
  }
  if (typeof requested.hash === 'string') return HASH.test(requested.hash) ? `the persisted operation ${requested.hash.toLowerCase()}` : 'the persisted operation hash sent';
  return 'a request without a query or a persisted query hash';
}

/**
 * Express middleware for the GraphQL path (after `express.json`, before
 * Apollo Server): admits a GET or POST only when it names a manifest
 * operation by `extensions.persistedQuery.sha256Hash` (the text is then filled
 * in, so Apollo Server's APQ check passes without a cache entry) or sends the
 * exact text of one. Other methods pass on to Apollo Server, which refuses
 * them.
 */
export function safelistMiddleware(safelist: Safelist): RequestHandler {
  return (request, response, next) => {
    if (request.method !== 'GET' && request.method !== 'POST') {
      next();
      return;
    }
    const requested = request.method === 'POST' ? fromPost(request) : fromGet(request);
    if (requested && typeof requested.query === 'string' && requested.query !== '') {
      // Text sent: it must be a listed operation byte for byte. A hash sent with it is checked against the text by Apollo Server.
      if (safelist.operations.has(sha256Hex(requested.query))) {
        next();
        return;
      }
    } else if (requested && (requested.query === undefined || requested.query === null || requested.query === '') && typeof requested.hash === 'string') {
      const operation = safelist.operations.get(requested.hash);
      if (operation) {
        requested.fillQuery(operation.body);
        next();
        return;
      }
    }
    refuse(response, describe(requested));
  };
}

/**
 * HTTP 400, not 403: the refusal is about the document, not the caller; no
 * token or role would make an unlisted operation run, and 403 would suggest
 * otherwise (it is what FORBIDDEN means in this hub). It is the status of the
 * other pre-execution refusals (validation, QUERY_TOO_LARGE).
 */
function refuse(response: Response, what: string): void {
  response.status(400).json({
    errors: [{ message: `This hub accepts only the portal's registered operations; ${what} is not one of them.`, extensions: { code: NOT_IN_SAFELIST } }],
  });
}
