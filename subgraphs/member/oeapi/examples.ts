import { createHash } from 'node:crypto';
import { escapePointerToken, isObject, resolvePointer, schemaPointer, type JsonObject, type OeapiSpec } from './spec.js';
import { formatIssues, type OeapiValidator } from './validator.js';

/*
 * Builds instances of the spec's schemas out of the spec's own `example`
 * values, so the fixture's records are what the standard's authors wrote
 * down, not what we imagine. Every example used is first validated against
 * the schema it illustrates: the published document has a few that do not
 * (a student number given as the number 0 where a string is required, a
 * date-time example on a `format: date` field). Those are reported as
 * discrepancies and replaced by the referenced schema's own example or a
 * value built from the schema's structure, never sent as they are.
 */

/** An example in oeapi.yaml that does not validate against the schema it sits on. */
export interface ExampleDiscrepancy {
  pointer: string;
  problems: string;
}

export interface Synthesizer {
  /** An instance of the named component schema (e.g. "Course"), built from the spec's examples. */
  instanceOf(schemaName: string): JsonObject;
  /** The examples that had to be replaced so far. */
  readonly discrepancies: readonly ExampleDiscrepancy[];
}

/** A stable UUID-shaped id from a seed text (RFC 9562 version 8: custom, here a SHA-256 of the seed). */
export function deterministicUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const MAX_DEPTH = 8;

function typesOf(node: JsonObject): string[] {
  const type = node['type'];
  if (typeof type === 'string') return [type];
  return Array.isArray(type) ? type.filter((entry): entry is string => typeof entry === 'string') : [];
}

function isNullOnly(node: unknown): boolean {
  return isObject(node) && typesOf(node).length === 1 && typesOf(node)[0] === 'null';
}

export function createSynthesizer(spec: OeapiSpec, validator: OeapiValidator): Synthesizer {
  const discrepancies: ExampleDiscrepancy[] = [];
  const checked = new Map<string, boolean>();

  function nodeAt(pointer: string): JsonObject {
    const node = resolvePointer(spec, pointer);
    if (!isObject(node)) throw new Error(`OEAPI ${spec.version} has no schema at ${pointer}.`);
    return node;
  }

  /** Whether the `example` on the node at `pointer` validates against that node; reported once when it does not. */
  function exampleIsValid(pointer: string, example: unknown): boolean {
    let valid = checked.get(pointer);
    if (valid === undefined) {
      const issues = validator.validateValue(pointer, example);
      valid = issues.length === 0;
      if (!valid) discrepancies.push({ pointer, problems: formatIssues(issues) });
      checked.set(pointer, valid);
    }
    return valid;
  }

  /** True when a property is cheap to include: it (or what it refers to, or its items) carries an example of its own. */
  function hasOwnExample(pointer: string, depth = 0): boolean {
    if (depth > 3) return false;
    const node = nodeAt(pointer);
    if (node['example'] !== undefined) return true;
    if (typeof node['$ref'] === 'string') return hasOwnExample(node['$ref'], depth + 1);
    const oneOf = node['oneOf'];
    if (Array.isArray(oneOf)) return oneOf.some((branch, index) => !isNullOnly(branch) && hasOwnExample(`${pointer}/oneOf/${index}`, depth + 1));
    if (isObject(node['items'])) return hasOwnExample(`${pointer}/items`, depth + 1);
    return false;
  }

  function scalar(pointer: string, node: JsonObject, type: string): unknown {
    if (Array.isArray(node['enum']) && node['enum'].length > 0) return node['enum'][0];
    if (type === 'string') {
      switch (node['format']) {
        case 'uuid':
          return deterministicUuid(`example:${pointer}`);
        case 'date-time':
          return '2025-09-01T09:00:00+01:00';
        case 'date':
          return '2025-09-01';
        case 'email':
          return 'someone@example.org';
        case 'uri':
        case 'uri-reference':
          return 'https://example.org/';
        default:
          return typeof node['minLength'] === 'number' ? 'x'.repeat(Math.max(node['minLength'], 7)) : 'example';
      }
    }
    if (type === 'integer' || type === 'number') return typeof node['minimum'] === 'number' ? node['minimum'] : 1;
    if (type === 'boolean') return false;
    return null;
  }

  function synthesize(pointer: string, depth: number): unknown {
    if (depth > MAX_DEPTH) return undefined;
    const node = nodeAt(pointer);
    if (node['example'] !== undefined && exampleIsValid(pointer, node['example'])) return structuredClone(node['example']);
    if (typeof node['$ref'] === 'string') return synthesize(node['$ref'], depth + 1);
    const allOf = node['allOf'];
    if (Array.isArray(allOf)) {
      const merged: JsonObject = {};
      allOf.forEach((_, index) => Object.assign(merged, synthesize(`${pointer}/allOf/${index}`, depth + 1) as JsonObject | undefined));
      if (isObject(node['properties'])) Object.assign(merged, objectFrom(pointer, node, depth));
      return merged;
    }
    for (const combinator of ['oneOf', 'anyOf'] as const) {
      const branches = node[combinator];
      if (!Array.isArray(branches)) continue;
      const index = branches.findIndex((branch) => !isNullOnly(branch) && isObject(branch) && (branch['$ref'] !== undefined || branch['type'] !== undefined || branch['properties'] !== undefined));
      // An anyOf of bare `required` lists (Person, CourseOfferingAssociation) only constrains the object next to it.
      if (index >= 0) return synthesize(`${pointer}/${combinator}/${index}`, depth + 1);
    }
    const type = typesOf(node).find((candidate) => candidate !== 'null') ?? (isObject(node['properties']) ? 'object' : undefined);
    if (type === 'object') return objectFrom(pointer, node, depth);
    if (type === 'array') {
      const item = isObject(node['items']) ? synthesize(`${pointer}/items`, depth + 1) : undefined;
      return item === undefined ? [] : Array.from({ length: Math.max(1, Number(node['minItems'] ?? 1)) }, () => structuredClone(item));
    }
    return type ? scalar(pointer, node, type) : undefined;
  }

  function objectFrom(pointer: string, node: JsonObject, depth: number): JsonObject {
    const result: JsonObject = {};
    const properties = isObject(node['properties']) ? node['properties'] : {};
    const required = new Set(Array.isArray(node['required']) ? (node['required'] as string[]) : []);
    // Properties required by every branch of an anyOf are required too (Person's primaryCode, activeEnrolment, surname).
    const anyOf = node['anyOf'];
    if (Array.isArray(anyOf) && isObject(anyOf[0]) && Array.isArray(anyOf[0]['required'])) for (const name of anyOf[0]['required'] as string[]) required.add(name);
    for (const name of Object.keys(properties)) {
      const propertyPointer = `${pointer}/properties/${escapePointerToken(name)}`;
      if (!required.has(name) && !hasOwnExample(propertyPointer)) continue;
      const value = synthesize(propertyPointer, depth + 1);
      if (value !== undefined) result[name] = value;
    }
    return result;
  }

  return {
    instanceOf(schemaName) {
      const value = synthesize(schemaPointer(schemaName), 0);
      if (!isObject(value)) throw new Error(`OEAPI schema ${schemaName} is not an object schema.`);
      return value;
    },
    get discrepancies() {
      return discrepancies;
    },
  };
}
