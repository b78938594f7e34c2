import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
// ajv-formats is CommonJS with `exports.default`: under NodeNext the default import is the
// whole `module.exports`, so the plugin is its `.default`.
import ajvFormats from 'ajv-formats';
import { escapePointerToken, findOperation, isObject, resolvePointer, type JsonObject, type OeapiSpec } from './spec.js';

/*
 * Validation of OEAPI response bodies against the operation's response schema
 * in oeapi.yaml. The document is OpenAPI 3.1, whose schema objects are JSON
 * Schema 2020-12 (nullability is `type: [string, 'null']` or
 * `oneOf: [..., {type: 'null'}]`, never 3.0's `nullable`), so Ajv's 2020-12
 * build validates them as written: no conversion step that could itself drift.
 * Ajv runs in strict mode; the only vocabulary it is taught is the spec's own
 * annotations (`example`, the `x-…` extensions), so a keyword typo in a future
 * spec version fails loudly instead of being ignored.
 */

/** Base URI under which the spec's components and paths are registered; every "#/components/…" $ref resolves against it. */
const SPEC_ID = 'urn:oeapi:spec';

/** The id fields of the spec's records, in the order they are looked for when naming a record in an error. */
const RECORD_ID_FIELDS = [
  'associationId',
  'courseOfferingId',
  'courseId',
  'personId',
  'learningOutcomeId',
  'organisationId',
  'academicSessionId',
  'programmeOfferingId',
  'programmeId',
  'learningComponentOfferingId',
  'learningComponentId',
  'testComponentOfferingId',
  'testComponentId',
  'groupId',
  'buildingId',
  'roomId',
] as const;

/** One problem found in a response body. */
export interface OeapiValidationIssue {
  /** JSON pointer into the body, "" for the body itself. */
  pointer: string;
  /** The field concerned, e.g. "/items/3/name" for a missing required `name`. */
  field: string;
  message: string;
  /** For list pages: the index of the record in `items` the problem is in. */
  recordIndex?: number;
  /** That record's own id, when it has one. */
  recordId?: string;
  /** The field that id was read from, e.g. "courseId". */
  recordIdField?: string;
}

export interface OeapiValidator {
  /**
   * Problems of `body` as the response of `method path` with `status`
   * (`path` concrete or a template, query ignored). Empty when it validates.
   * An operation or status the spec does not define is itself one problem.
   */
  validateOeapiResponse(path: string, method: string, status: number, body: unknown): OeapiValidationIssue[];
  /** Problems of `value` against the schema at a local pointer of the spec, e.g. "#/components/schemas/Course". */
  validateValue(pointer: string, value: unknown): OeapiValidationIssue[];
  /** The spec the validator answers to. */
  readonly spec: OeapiSpec;
}

/** One issue as one line, e.g. `/items/3/name (courseId 5e1…): must have required property "name"`. */
export function formatIssue(issue: OeapiValidationIssue): string {
  const record = issue.recordId ? ` (${issue.recordIdField ?? 'id'} ${issue.recordId})` : '';
  return `${issue.field || '/'}${record}: ${issue.message}`;
}

/** Several issues as lines, at most `limit` of them. */
export function formatIssues(issues: readonly OeapiValidationIssue[], limit = 10): string {
  const lines = issues.slice(0, limit).map(formatIssue);
  if (issues.length > limit) lines.push(`… and ${issues.length - limit} more`);
  return lines.join('\n');
}

function collectExtensionKeywords(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collectExtensionKeywords(child, into);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, child] of Object.entries(node)) {
    if (key.startsWith('x-')) into.add(key);
    if (key !== 'example' && key !== 'examples') collectExtensionKeywords(child, into);
  }
}

function createAjv(spec: OeapiSpec): Ajv2020 {
  // strictRequired off: the spec's anyOf branches list `required` names defined next to the
  // anyOf, not inside each branch (Person, CourseOfferingAssociation), which is valid JSON Schema.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  ajvFormats.default(ajv);
  // OpenAPI's own formats (OAS 3.1 §4.4): int32 is range-checked; the others only annotate.
  ajv.addFormat('int32', { type: 'number', validate: (value: number) => Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isInteger(value) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('binary', { type: 'string', validate: () => true });
  const keywords = new Set<string>(['example']);
  collectExtensionKeywords(spec.document['components'], keywords);
  collectExtensionKeywords(spec.document['paths'], keywords);
  for (const keyword of keywords) ajv.addKeyword({ keyword, schemaType: ['string', 'number', 'boolean', 'object', 'array', 'null'] });
  // The document is registered as one schema so that its own "#/components/…" $refs resolve
  // unchanged; Ajv compiles that root once, where `components` and `paths` are mere containers.
  ajv.addKeyword({ keyword: 'components', schemaType: 'object' });
  ajv.addKeyword({ keyword: 'paths', schemaType: 'object' });
  ajv.addSchema({ $id: SPEC_ID, components: spec.document['components'], paths: spec.document['paths'] } as JsonObject, undefined, undefined, false);
  return ajv;
}

/** The response object for a status: exact code, then "2XX"-style ranges, then "default"; $refs into components/responses followed. */
function responseFor(spec: OeapiSpec, operation: JsonObject, status: number): { pointer: string; response: JsonObject } | undefined {
  const responses = operation['responses'];
  if (!isObject(responses)) return undefined;
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((candidate) => candidate in responses);
  if (!key) return undefined;
  let response = responses[key];
  let pointer = `/responses/${escapePointerToken(key)}`;
  if (isObject(response) && typeof response['$ref'] === 'string') {
    pointer = response['$ref'];
    response = resolvePointer(spec, pointer);
  }
  return isObject(response) ? { pointer, response } : undefined;
}

function pickMediaType(content: JsonObject): string | undefined {
  const types = Object.keys(content);
  return types.find((type) => type === 'application/json') ?? types.find((type) => type.endsWith('+json')) ?? types[0];
}

function recordOf(body: unknown, pointer: string): { index: number; id?: string; idField?: string } | undefined {
  const match = /^\/items\/(\d+)(?:\/|$)/.exec(pointer);
  if (!match || !isObject(body) || !Array.isArray(body['items'])) return undefined;
  const index = Number(match[1]);
  const record = body['items'][index];
  if (!isObject(record)) return { index };
  const idField = RECORD_ID_FIELDS.find((field) => typeof record[field] === 'string');
  return idField ? { index, id: record[idField] as string, idField } : { index };
}

function describe(error: ErrorObject): { field: string; message: string } {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    return { field: `${error.instancePath}/${String(params['missingProperty'])}`, message: `must have required property "${String(params['missingProperty'])}"` };
  }
  if (error.keyword === 'additionalProperties') {
    return { field: `${error.instancePath}/${String(params['additionalProperty'])}`, message: `is not allowed here (no such property)` };
  }
  if (error.keyword === 'requiredOneOf') {
    return { field: `${error.instancePath}/${String((params['choices'] as string[])[0])}`, message: error.message ?? 'must have one of the required properties' };
  }
  if (error.keyword === 'format') return { field: error.instancePath, message: `must be a valid ${String(params['format'])}` };
  return { field: error.instancePath, message: error.message ?? error.keyword };
}

/**
 * Drops the echoes that `oneOf`/`anyOf` add around the one real problem
 * (the "must be null" of the nullable branch, the "must match exactly one
 * schema" summary) whenever a more specific error remains, so the reader
 * sees `/items/3/studyLoad/0/value must be number`, not three lines about it.
 */
/**
 * Folds the `required` errors of the branches of one `anyOf` (Person: a
 * surname, a given name or a preferred name) into what is missing in every
 * branch (plainly required) and what is missing as a choice ("one of").
 */
function foldAnyOfRequired(errors: readonly ErrorObject[]): ErrorObject[] {
  const groups = new Map<string, ErrorObject[]>();
  const rest: ErrorObject[] = [];
  for (const error of errors) {
    const match = /^(.*\/anyOf)\/\d+\/required$/.exec(error.schemaPath);
    if (error.keyword !== 'required' || !match) {
      rest.push(error);
      continue;
    }
    const key = `${error.instancePath}|${match[1]}`;
    groups.set(key, [...(groups.get(key) ?? []), error]);
  }
  for (const group of groups.values()) {
    const byBranch = new Map<string, Set<string>>();
    for (const error of group) {
      const branch = error.schemaPath.replace(/\/required$/, '');
      byBranch.set(branch, (byBranch.get(branch) ?? new Set()).add(String((error.params as { missingProperty?: unknown }).missingProperty)));
    }
    const branches = [...byBranch.values()];
    const common = [...(branches[0] ?? [])].filter((property) => branches.every((missing) => missing.has(property)));
    const first = group[0] as ErrorObject;
    for (const property of common) rest.push({ ...first, params: { missingProperty: property } });
    const choices = [...new Set(branches.flatMap((missing) => [...missing].filter((property) => !common.includes(property))))];
    if (choices.length > 0 && branches.every((missing) => [...missing].some((property) => !common.includes(property)))) {
      rest.push({ ...first, keyword: 'requiredOneOf', params: { choices }, message: `must have one of the properties ${choices.map((choice) => `"${choice}"`).join(', ')}` });
    }
  }
  return rest;
}

function simplify(errors: readonly ErrorObject[]): ErrorObject[] {
  const isEcho = (error: ErrorObject): boolean =>
    (error.keyword === 'type' && (error.params as { type?: unknown }).type === 'null') || error.keyword === 'oneOf' || error.keyword === 'anyOf';
  const folded = foldAnyOfRequired(errors);
  const specific = folded.filter((error) => !isEcho(error));
  const kept = folded.filter((error) => !isEcho(error) || !specific.some((other) => other.instancePath.startsWith(error.instancePath)));
  const seen = new Set<string>();
  return kept.filter((error) => {
    const key = `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Builds a validator over one loaded spec. Each operation's schema is
 * compiled on first use and kept in the validator (not in module state), so
 * several specs or test files never share compiled code.
 */
export function createOeapiValidator(spec: OeapiSpec): OeapiValidator {
  const ajv = createAjv(spec);
  const compiled = new Map<string, ValidateFunction>();

  function compile(pointer: string): ValidateFunction {
    let validate = compiled.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `${SPEC_ID}${pointer}` });
      compiled.set(pointer, validate);
    }
    return validate;
  }

  function validateOeapiResponse(path: string, method: string, status: number, body: unknown): OeapiValidationIssue[] {
    const found = findOperation(spec, path, method);
    if (!found) return [{ pointer: '', field: '', message: `OEAPI ${spec.version} has no operation ${method.toUpperCase()} ${path.split('?')[0]}` }];
    const response = responseFor(spec, found.operation, status);
    if (!response) return [{ pointer: '', field: '', message: `OEAPI ${spec.version} defines no ${status} response for ${method.toUpperCase()} ${found.template}` }];
    const content = response.response['content'];
    if (!isObject(content) || Object.keys(content).length === 0) {
      return body === undefined || body === null || body === '' ? [] : [{ pointer: '', field: '', message: `must be empty: the ${status} response has no content` }];
    }
    const mediaType = pickMediaType(content) as string;
    const base = response.pointer.startsWith('#')
      ? response.pointer
      : `#/paths/${escapePointerToken(found.template)}/${found.method}${response.pointer}`;
    const validate = compile(`${base}/content/${escapePointerToken(mediaType)}/schema`);
    return issuesOf(validate, body);
  }

  function issuesOf(validate: ValidateFunction, body: unknown): OeapiValidationIssue[] {
    if (validate(body)) return [];
    return simplify(validate.errors ?? []).map((error) => {
      const { field, message } = describe(error);
      const record = recordOf(body, error.instancePath);
      return {
        pointer: error.instancePath,
        field,
        message,
        ...(record ? { recordIndex: record.index } : {}),
        ...(record?.id ? { recordId: record.id, recordIdField: record.idField } : {}),
      };
    });
  }

  function validateValue(pointer: string, value: unknown): OeapiValidationIssue[] {
    if (resolvePointer(spec, pointer) === undefined) return [{ pointer: '', field: '', message: `OEAPI ${spec.version} has nothing at ${pointer}` }];
    return issuesOf(compile(pointer), value);
  }

  return { validateOeapiResponse, validateValue, spec };
}
