import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../../lib/paths.js';

/*
 * The OEAPI v6.0 OpenAPI document, read from the alliance's shared material
 * (../shared/oeapi/oeapi.yaml, unmodified) rather than copied into the
 * project, so the fixture, the validator and the client all answer to the
 * published standard. Nothing is read at import: callers load the document
 * once and pass it on (it is ~500 KB; the tests load it once per file).
 */

/** Where the spec is read from unless a deployment points elsewhere (e.g. an OEAPI_SPEC_PATH read by index.ts). */
export const DEFAULT_OEAPI_SPEC_PATH = resolve(REPO_ROOT, '..', 'shared', 'oeapi', 'oeapi.yaml');

/** The HTTP methods an OpenAPI path item can hold. */
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type JsonObject = { [key: string]: unknown };

/** The spec's pageSize enum (components/parameters/pageSize); a test checks it against the document. */
export const OEAPI_PAGE_SIZES = [10, 20, 50, 100, 250] as const;

/**
 * Where records say when they last changed. OEAPI 6.0 defines no
 * modification timestamp and no `modifiedSince` parameter; `ext` is the
 * spec's object for non-standard attributes and `filter_query` its (optional,
 * implementer-defined) filter syntax, so the fixture offers and the client
 * sends `filter_query[ext.modifiedAt][gt_date]=…`. A member whose system names
 * it otherwise sets the client's `modifiedField`.
 */
export const MODIFIED_AT_FIELD = 'ext.modifiedAt';

export interface OeapiSpec {
  /** The parsed OpenAPI document. Treat as read-only. */
  readonly document: JsonObject;
  /** `info.version`, e.g. "6.0". */
  readonly version: string;
  /** Where it was read from. */
  readonly source: string;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads and parses the OEAPI document. Refuses anything that is not an
 * OpenAPI 3.1 document: the validator relies on 3.1's schema dialect (JSON
 * Schema 2020-12, `type: [string, 'null']`), which 3.0's `nullable` does not share.
 */
export function loadOeapiSpec(path: string = DEFAULT_OEAPI_SPEC_PATH): OeapiSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`The OEAPI specification could not be read from ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  // maxAliasCount: the document uses no YAML aliases; a bound keeps a hostile file from expanding without limit.
  const document: unknown = parse(text, { maxAliasCount: 100 });
  if (!isObject(document) || typeof document['openapi'] !== 'string' || !document['openapi'].startsWith('3.1')) {
    throw new Error(`${path} is not an OpenAPI 3.1 document.`);
  }
  const info = document['info'];
  const version = isObject(info) && typeof info['version'] === 'string' ? info['version'] : 'unknown';
  return { document, version, source: path };
}

/** Decodes one JSON-pointer token (RFC 6901). */
function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The value at a local JSON pointer ("#/components/schemas/Course"), or undefined. */
export function resolvePointer(spec: OeapiSpec, pointer: string): unknown {
  if (!pointer.startsWith('#')) return undefined;
  let node: unknown = spec.document;
  for (const token of pointer.slice(1).split('/').slice(1)) {
    if (Array.isArray(node)) node = node[Number(unescapeToken(token))];
    else if (isObject(node)) node = node[unescapeToken(token)];
    else return undefined;
  }
  return node;
}

/** The pointer of a named component schema. */
export function schemaPointer(name: string): string {
  return `#/components/schemas/${escapePointerToken(name)}`;
}

/** One operation of the spec: its path template and method. */
export interface OeapiOperationRef {
  template: string;
  method: HttpMethod;
  operation: JsonObject;
}

/** Every path template of the spec, e.g. "/courses/{courseId}". */
export function pathTemplates(spec: OeapiSpec): string[] {
  const paths = spec.document['paths'];
  return isObject(paths) ? Object.keys(paths) : [];
}

/**
 * Finds the operation for a request path (with or without a query, concrete
 * like "/courses/123" or a template like "/courses/{courseId}"). Literal
 * segments win over parameters, so "/persons/me" is not "/persons/{personId}".
 */
export function findOperation(spec: OeapiSpec, path: string, method: string): OeapiOperationRef | undefined {
  const paths = spec.document['paths'];
  if (!isObject(paths)) return undefined;
  const wanted = method.toLowerCase() as HttpMethod;
  if (!HTTP_METHODS.includes(wanted)) return undefined;
  const requestSegments = (path.split('?')[0] ?? '').split('/').filter(Boolean);
  let best: { template: string; score: number } | undefined;
  for (const template of Object.keys(paths)) {
    const item = paths[template];
    if (!isObject(item) || !isObject(item[wanted])) continue;
    const segments = template.split('/').filter(Boolean);
    if (segments.length !== requestSegments.length) continue;
    let score = 0;
    let matches = true;
    segments.forEach((segment, index) => {
      const requested = requestSegments[index] ?? '';
      if (segment === requested) score += 2;
      else if (/^\{[^}]+\}$/.test(segment)) score += 1;
      else matches = false;
    });
    if (matches && (!best || score > best.score)) best = { template, score };
  }
  if (!best) return undefined;
  const operation = (paths[best.template] as JsonObject)[wanted] as JsonObject;
  return { template: best.template, method: wanted, operation };
}
