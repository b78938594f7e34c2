import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../../lib/paths.js';
import { Ajv2020, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
// ajv-formats is CommonJS with `exports.default`: under NodeNext the default import is the
// whole `module.exports`, so the plugin is its `.default` (which Node also sets on the function).
import ajvFormats from 'ajv-formats';

/*
 * JSON Schema validation of credentials against the two published schemas the
 * issue names, read from the alliance's shared material (see
 * DEFAULT_CREDENTIAL_SCHEMAS_DIR below), never copied into the project:
 *   w3c-vc2-verifiable-credential-schema.json   W3C VC Data Model 2.0 (W3C Software and Document License, w3c-LICENSE.md)
 *   ebsi-vcdm2.0-europass-edc-schema.json       EBSI "Europass EDC credential" on ELM 3.2 (EUPL 1.2, ELM-EUPL-1.2-LICENSE.txt)
 *   ebsi-vcdm2.0-attestation-schema.json        EBSI Verifiable Attestation, which the EDC schema $refs as
 *                                               ./vcdm2.0-attestation-schema/schema.json (EUPL 1.2)
 * They are used as published.
 *
 * One deliberate, opt-in exception (see `allowBitstringStatusList`): the EBSI
 * EDC schema closes `credentialStatus` to `{ id, type }` with type
 * "CredentialStatus" or "TrustedCredentialStatus2021", so no credential that
 * carries a W3C Bitstring Status List entry (statusPurpose, statusListIndex,
 * statusListCredential) can pass it as published.
 */

/**
 * Where the schemas are read from by default: the alliance's shared material
 * next to the project (../shared/credentials). They are not copied into the
 * project; a deployment points CREDENTIAL_SCHEMAS_DIR at its own copy of the
 * published files, and without them the schema check says it could not run.
 */
export const DEFAULT_CREDENTIAL_SCHEMAS_DIR = resolve(REPO_ROOT, '..', 'shared', 'credentials');
export const CREDENTIAL_SCHEMA_FILES = ['w3c-vc2-verifiable-credential-schema.json', 'ebsi-vcdm2.0-europass-edc-schema.json', 'ebsi-vcdm2.0-attestation-schema.json'] as const;
const W3C_FILE = 'w3c-vc2-verifiable-credential-schema.json';
const EBSI_EDC_FILE = 'ebsi-vcdm2.0-europass-edc-schema.json';
const EBSI_ATTESTATION_FILE = 'ebsi-vcdm2.0-attestation-schema.json';
/** How the EDC schema names the attestation schema it builds on. */
const EBSI_ATTESTATION_REF = './vcdm2.0-attestation-schema/schema.json';

/** W3C Bitstring Status List v1.0, section 2.1 (BitstringStatusListEntry). */
const BITSTRING_STATUS_ENTRY_SCHEMA: AnySchemaObject = {
  $id: 'urn:eciu:schema:bitstring-status-list-entry',
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uri' },
    type: { const: 'BitstringStatusListEntry' },
    statusPurpose: { type: 'string', minLength: 1 },
    statusListIndex: { type: 'string', pattern: '^(0|[1-9][0-9]*)$' },
    statusListCredential: { type: 'string', format: 'uri' },
    statusSize: { type: 'integer', minimum: 1 },
  },
  required: ['type', 'statusPurpose', 'statusListIndex', 'statusListCredential'],
};

export interface CredentialValidation {
  valid: boolean;
  /** False when the schema files are not installed: nothing was checked. */
  checked: boolean;
  /** One line per problem: which schema, where (a JSON pointer), what. Empty when valid. */
  errors: string[];
  /** Each schema on its own, for a verifier that reports checks one by one. */
  w3c: boolean;
  ebsi: boolean;
  /** True when the EBSI schema was applied as published, credentialStatus included (false: its status entries were checked as Bitstring Status List entries). */
  ebsiAsPublished: boolean;
}

export interface CredentialValidator {
  validate(credential: unknown): CredentialValidation;
  /** Compiles the schemas now rather than on the first credential (false: the schema files are not installed). */
  prepare(): boolean;
}

export interface CredentialValidatorOptions {
  /**
   * Check `credentialStatus` against W3C Bitstring Status List v1.0 instead of
   * the EBSI EDC schema's closed CredentialStatus type (everything else is still
   * checked against the EBSI schema as published). Off by default: "valid
   * against the EBSI schema" then means exactly that.
   */
  allowBitstringStatusList?: boolean;
  /** At most this many error lines (default 20); the rest are counted in a last line. */
  maxErrors?: number;
  /** Folder holding the published schema files (default DEFAULT_CREDENTIAL_SCHEMAS_DIR). */
  dir?: string;
}

interface SchemaSet {
  w3c: ValidateFunction;
  ebsi: ValidateFunction;
  statusEntry: ValidateFunction;
}

interface Compiled {
  /** First-error validators: the common case is a valid credential, and they are the fastest. */
  fast: SchemaSet;
  /** All errors with the failing data and schema, compiled only when something failed. */
  diagnostic?: SchemaSet;
  /** The ELM class names (`type` constants) the EBSI schema defines. */
  ebsiClasses: ReadonlySet<string>;
}

function readSchema(dir: string, file: string): AnySchemaObject {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as AnySchemaObject;
}

function compileSet(dir: string, diagnostic: boolean): SchemaSet {
  // strict: false because the published schemas use what Ajv's strict mode rejects (e.g. a
  // `required` property missing from `properties` in VerificationCheckType); they are not ours to fix.
  const ajv = new Ajv2020({ strict: false, allErrors: diagnostic, verbose: diagnostic });
  ajvFormats.default(ajv);
  const edc = readSchema(dir, EBSI_EDC_FILE);
  if (typeof edc.$id !== 'string') throw new Error(`${EBSI_EDC_FILE} has no $id to resolve its $ref against.`);
  // Register the attestation schema under the URI the EDC schema's relative $ref resolves to.
  ajv.addSchema(readSchema(dir, EBSI_ATTESTATION_FILE), new URL(EBSI_ATTESTATION_REF, edc.$id).href);
  return { w3c: ajv.compile(readSchema(dir, W3C_FILE)), ebsi: ajv.compile(edc), statusEntry: ajv.compile(BITSTRING_STATUS_ENTRY_SCHEMA) };
}

function classesOf(schema: AnySchemaObject): Set<string> {
  const classes = new Set<string>();
  for (const definition of Object.values((schema['$defs'] ?? {}) as Record<string, AnySchemaObject>)) {
    const type = (definition['properties'] as Record<string, AnySchemaObject> | undefined)?.['type'];
    if (typeof type?.['const'] === 'string') classes.add(type['const']);
    for (const value of (type?.['enum'] as unknown[] | undefined) ?? []) if (typeof value === 'string') classes.add(value);
  }
  return classes;
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])}`;
    case 'enum':
      return `must be one of ${(params['allowedValues'] as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
    case 'additionalProperties':
      return `must not have the property "${String(params['additionalProperty'])}"`;
    case 'required':
      return `must have the property "${String(params['missingProperty'])}"`;
    case 'contains': {
      const wanted = (error.schema as AnySchemaObject | undefined)?.['const'];
      return wanted === undefined ? (error.message ?? 'must contain a valid item') : `must contain ${JSON.stringify(wanted)}`;
    }
    default:
      return error.message ?? `fails "${error.keyword}"`;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The status types the EBSI EDC schema admits: a credential holding only these (the Europass form) is checked as published. */
const EBSI_STATUS_TYPES = new Set(['CredentialStatus', 'TrustedCredentialStatus2021']);
function onlyEbsiStatusTypes(status: unknown): boolean {
  const entries = Array.isArray(status) ? status : [status];
  return entries.length > 0 && entries.every((entry) => isObject(entry) && typeof entry['type'] === 'string' && EBSI_STATUS_TYPES.has(entry['type']));
}

/** The `type` an ELM class definition demands (const or enum), when the schema is one. */
function classConstraint(schema: unknown): unknown[] | undefined {
  const type = isObject(schema) && isObject(schema['properties']) ? schema['properties']['type'] : undefined;
  if (!isObject(type)) return undefined;
  if ('const' in type) return [type['const']];
  return Array.isArray(type['enum']) ? type['enum'] : undefined;
}

/**
 * Turns Ajv's errors (allErrors + verbose) into short lines. ELM nodes are
 * checked against an `anyOf` of classes (Agent | Person | Organisation, …) that
 * are told apart by their `type` constant; a node fails every class it is not,
 * so errors from a class whose `type` the node does not have are noise. A node
 * whose `type` is no class at all is reported as such.
 */
function readable(schema: string, errors: readonly ErrorObject[], knownClasses: ReadonlySet<string>, prefix = ''): string[] {
  const lines = new Map<string, string>();
  const typeMismatches = new Map<string, { actual: unknown; allowed: Set<unknown> }>();
  for (const error of errors) {
    const path = prefix + error.instancePath;
    // Combinators only summarise their branches; a `contains` item check is summarised by `contains`.
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'allOf' || error.schemaPath.includes('/contains/')) continue;
    if ((error.keyword === 'const' || error.keyword === 'enum') && error.instancePath.endsWith('/type')) {
      const allowed = error.keyword === 'const' ? [(error.params as { allowedValue: unknown }).allowedValue] : (error.params as { allowedValues: unknown[] }).allowedValues;
      const mismatch = typeMismatches.get(path) ?? { actual: error.data, allowed: new Set<unknown>() };
      for (const value of allowed) mismatch.allowed.add(value);
      typeMismatches.set(path, mismatch);
      continue;
    }
    const demanded = classConstraint(error.parentSchema);
    if (demanded) {
      // The single-node alternative of a "one or many" property, met by an array (or the reverse).
      if (error.keyword === 'type' && Array.isArray(error.data)) continue;
      if ((error.keyword === 'additionalProperties' || error.keyword === 'required') && isObject(error.data) && !demanded.includes(error.data['type'])) continue;
    }
    if (error.keyword === 'type' && /\/anyOf\/\d+\/type$/.test(error.schemaPath) && (error.params as { type: unknown }).type === 'array') continue;
    lines.set(`${path} ${describe(error)}`, `${schema} ${path || '/'}: ${describe(error)}`);
  }
  for (const [path, mismatch] of typeMismatches) {
    const node = path.slice(0, -'/type'.length);
    const explained = [...lines.values()].some((line) => line.startsWith(`${schema} ${node}/`) || line.startsWith(`${schema} ${node}:`));
    if (explained || mismatch.allowed.has(mismatch.actual)) continue;
    if (typeof mismatch.actual === 'string' && knownClasses.has(mismatch.actual) && lines.size > 0) continue;
    const allowed = [...mismatch.allowed].map((value) => JSON.stringify(value)).join(', ');
    lines.set(`${path} type`, `${schema} ${path}: is ${JSON.stringify(mismatch.actual)}, must be ${mismatch.allowed.size > 1 ? 'one of ' : ''}${allowed}`);
  }
  if (lines.size === 0) {
    for (const error of errors) {
      if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
        lines.set(`${error.instancePath} none`, `${schema} ${prefix + error.instancePath || '/'}: matches none of the allowed shapes`);
      }
    }
  }
  return [...lines.values()];
}

/**
 * A validator for issued (or received) credentials. The schemas are read and
 * compiled on the first `validate`, once per validator; nothing happens at import.
 */
export function createCredentialValidator(options: CredentialValidatorOptions = {}): CredentialValidator {
  const maxErrors = options.maxErrors ?? 20;
  const dir = options.dir ?? DEFAULT_CREDENTIAL_SCHEMAS_DIR;
  let compiled: Compiled | undefined;

  /** Checks against one schema set; `report` collects readable lines (diagnostic run only). */
  const check = (set: SchemaSet, credential: unknown, report?: (schema: string, errors: readonly ErrorObject[], prefix?: string) => void) => {
    const w3c = set.w3c(credential);
    if (!w3c) report?.('W3C', set.w3c.errors ?? []);
    let ebsi: boolean;
    let asPublished = true;
    if (options.allowBitstringStatusList && isObject(credential) && 'credentialStatus' in credential && !onlyEbsiStatusTypes(credential['credentialStatus'])) {
      asPublished = false;
      const { credentialStatus, ...rest } = credential;
      ebsi = set.ebsi(rest);
      if (!ebsi) report?.('EBSI', set.ebsi.errors ?? []);
      const entries = Array.isArray(credentialStatus) ? credentialStatus : [credentialStatus];
      entries.forEach((entry, index) => {
        if (set.statusEntry(entry)) return;
        ebsi = false;
        report?.('Bitstring Status List', set.statusEntry.errors ?? [], Array.isArray(credentialStatus) ? `/credentialStatus/${index}` : '/credentialStatus');
      });
    } else {
      ebsi = set.ebsi(credential);
      if (!ebsi) report?.('EBSI', set.ebsi.errors ?? []);
    }
    return { w3c, ebsi, asPublished };
  };

  /** The schema files not installed; none once compiled. Looked for until found (they may be installed while the service runs). */
  const compile = (): string[] => {
    if (compiled) return [];
    const missing = CREDENTIAL_SCHEMA_FILES.filter((file) => !existsSync(join(dir, file)));
    if (missing.length === 0) compiled = { fast: compileSet(dir, false), ebsiClasses: classesOf(readSchema(dir, EBSI_EDC_FILE)) };
    return missing;
  };

  return {
    prepare: () => compile().length === 0,
    validate(credential: unknown): CredentialValidation {
      const missing = compile();
      if (!compiled) {
        return { valid: false, checked: false, errors: [`not checked: the published schemas (${missing.join(', ')}) are not installed in ${dir}; set CREDENTIAL_SCHEMAS_DIR`], w3c: false, ebsi: false, ebsiAsPublished: false };
      }
      const { w3c, ebsi, asPublished } = check(compiled.fast, credential);
      if (w3c && ebsi) return { valid: true, checked: true, errors: [], w3c, ebsi, ebsiAsPublished: asPublished };

      compiled.diagnostic ??= compileSet(dir, true);
      const classes = compiled.ebsiClasses;
      const errors: string[] = [];
      check(compiled.diagnostic, credential, (schema, found, prefix) => errors.push(...readable(schema, found, classes, prefix)));
      const shown = errors.length > maxErrors ? [...errors.slice(0, maxErrors), `… and ${errors.length - maxErrors} more`] : errors;
      return { valid: false, checked: true, errors: shown, w3c, ebsi, ebsiAsPublished: asPublished };
    },
  };
}

/**
 * The validator verification uses, inline and in the verifying workers alike
 * (so both answer the same): the published schemas, with credentialStatus
 * checked as W3C Bitstring Status List entries.
 */
export function createVerificationValidator(dir?: string): CredentialValidator {
  return createCredentialValidator({ allowBitstringStatusList: true, ...(dir ? { dir } : {}) });
}
