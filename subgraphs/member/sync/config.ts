import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError, readInt, readString, type Env } from '../../../lib/config.js';
import { AssessmentType, LearningMode, LearningSetting, MicroCredentialType, OpportunityKind, Stackability, SupervisionVerification } from '../enums.js';
import { GRADING_SCHEMES } from '../grading.js';
import type { OeapiAuth, OeapiPageSize } from '../oeapi/client.js';
import type { OpportunityDefaults } from '../oeapi/mapping-opportunity.js';
import { DEFAULT_OEAPI_SPEC_PATH, MODIFIED_AT_FIELD, OEAPI_PAGE_SIZES } from '../oeapi/spec.js';

/*
 * The sync's configuration: the member's defaults file (the Annex I fields
 * OEAPI has no place for, and how its grade scales read) and the
 * environment of `npm run member:sync`. Only the CLI reads the environment;
 * the engine receives plain values.
 */

/** An external accreditation record for the synced offerings that have none of their own. */
export interface DefaultAccreditation {
  reference: string;
  body: string;
  decidedOn: string;
  validUntil: string | null;
  url: string | null;
}

/** What the sync fills in where OEAPI is silent. */
export interface SyncDefaults extends OpportunityDefaults {
  /** OEAPI resultValueType → hub grading scheme code (pass_or_fail is built in). */
  gradingSchemes: Record<string, string>;
  /**
   * For members that may not mark offerings credit-bearing on their own
   * (offering-rules.ts MAY_MARK_CREDIT_BEARING): the external accreditation
   * that covers the synced offerings. Null: none.
   */
  accreditation: DefaultAccreditation | null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function fail(source: string, message: string): never {
  throw new ConfigError(`${source}: ${message}`);
}

function oneOf<T extends string>(source: string, json: Record<string, unknown>, name: string, values: Record<string, T>, required: true): T;
function oneOf<T extends string>(source: string, json: Record<string, unknown>, name: string, values: Record<string, T>, required: false): T | undefined;
function oneOf<T extends string>(source: string, json: Record<string, unknown>, name: string, values: Record<string, T>, required: boolean): T | undefined {
  const value = json[name];
  if (value === undefined || value === null) {
    if (required) fail(source, `"${name}" is required: one of ${Object.values(values).join(', ')}.`);
    return undefined;
  }
  if (typeof value !== 'string' || !(Object.values(values) as string[]).includes(value)) fail(source, `"${name}" must be one of ${Object.values(values).join(', ')}; got ${JSON.stringify(value)}.`);
  return value as T;
}

function text(source: string, json: Record<string, unknown>, name: string, required: boolean): string | null {
  const value = json[name];
  if (value === undefined || value === null || value === '') {
    if (required) fail(source, `"${name}" is required (text).`);
    return null;
  }
  if (typeof value !== 'string') fail(source, `"${name}" must be text; got ${JSON.stringify(value)}.`);
  return value;
}

function accreditationOf(source: string, value: unknown): DefaultAccreditation | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) fail(source, '"accreditation" must be an object { reference, body, decidedOn, validUntil?, url? }.');
  const json = value as Record<string, unknown>;
  const inner = `${source} accreditation`;
  const decidedOn = text(inner, json, 'decidedOn', true) as string;
  const validUntil = text(inner, json, 'validUntil', false);
  for (const [name, date] of [['decidedOn', decidedOn], ['validUntil', validUntil]] as const) {
    if (date !== null && !DATE.test(date)) fail(inner, `"${name}" must be a date YYYY-MM-DD.`);
  }
  return { reference: text(inner, json, 'reference', true) as string, body: text(inner, json, 'body', true) as string, decidedOn, validUntil, url: text(inner, json, 'url', false) };
}

/** Reads a defaults document (already parsed JSON); `source` names it in errors. */
export function parseSyncDefaults(json: unknown, source = 'OEAPI_DEFAULTS_FILE'): SyncDefaults {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(source, 'must hold a JSON object.');
  const value = json as Record<string, unknown>;
  const known = new Set(['kind', 'microCredentialType', 'assessmentType', 'learningSetting', 'qualityAssurance', 'stackability', 'stackableTowards', 'supervision', 'sdgs', 'eqfLevel', 'mode', 'hoursPerEcts', 'language', 'gradingSchemes', 'accreditation']);
  const unknown = Object.keys(value).filter((key) => !known.has(key));
  // A misspelt key would otherwise silently fall back to nothing.
  if (unknown.length > 0) fail(source, `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')} (known: ${[...known].join(', ')}).`);
  const sdgs = value['sdgs'] ?? [];
  if (!Array.isArray(sdgs) || sdgs.some((goal) => !Number.isInteger(goal) || (goal as number) < 1 || (goal as number) > 17)) fail(source, '"sdgs" must be a list of UN Sustainable Development Goal numbers (1–17).');
  const eqfLevel = value['eqfLevel'];
  if (eqfLevel !== undefined && eqfLevel !== null && (!Number.isInteger(eqfLevel) || (eqfLevel as number) < 1 || (eqfLevel as number) > 8)) fail(source, '"eqfLevel" must be an EQF level 1–8 (used where a course\'s level does not map).');
  const hoursPerEcts = value['hoursPerEcts'];
  if (hoursPerEcts !== undefined && (typeof hoursPerEcts !== 'number' || hoursPerEcts < 25 || hoursPerEcts > 30)) fail(source, '"hoursPerEcts" must be a number from 25 to 30.');
  const language = value['language'];
  if (language !== undefined && (typeof language !== 'string' || !/^[a-z]{2}$/.test(language))) fail(source, '"language" must be a two-letter ISO 639-1 code, e.g. "en".');
  const schemes = value['gradingSchemes'] ?? {};
  if (typeof schemes !== 'object' || schemes === null || Array.isArray(schemes)) fail(source, '"gradingSchemes" must map OEAPI resultValueTypes to hub grading schemes, e.g. { "grade_0_10": "nl-1-10" }.');
  const codes = GRADING_SCHEMES.map((scheme) => scheme.code);
  for (const [type, code] of Object.entries(schemes)) {
    if (typeof code !== 'string' || !codes.includes(code)) fail(source, `"gradingSchemes"."${type}" must be one of ${codes.join(', ')}; got ${JSON.stringify(code)}.`);
  }
  const stackability = oneOf(source, value, 'stackability', Stackability, true);
  const mode = oneOf(source, value, 'mode', LearningMode, false);
  return {
    kind: oneOf(source, value, 'kind', OpportunityKind, true),
    microCredentialType: oneOf(source, value, 'microCredentialType', MicroCredentialType, true),
    assessmentType: oneOf(source, value, 'assessmentType', AssessmentType, true),
    learningSetting: oneOf(source, value, 'learningSetting', LearningSetting, true),
    qualityAssurance: text(source, value, 'qualityAssurance', true) as string,
    stackability,
    stackableTowards: text(source, value, 'stackableTowards', false),
    supervision: oneOf(source, value, 'supervision', SupervisionVerification, false) ?? null,
    sdgList: (sdgs as number[]).join(','),
    ...(eqfLevel === undefined || eqfLevel === null ? {} : { eqfLevel: eqfLevel as number }),
    ...(mode ? { mode } : {}),
    ...(hoursPerEcts === undefined ? {} : { hoursPerEcts: hoursPerEcts as number }),
    ...(language === undefined ? {} : { language: language as string }),
    gradingSchemes: { ...(schemes as Record<string, string>) },
    accreditation: accreditationOf(source, value['accreditation']),
  };
}

/** Reads and checks the defaults file. */
export function readSyncDefaultsFile(path: string): SyncDefaults {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`OEAPI_DEFAULTS_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`OEAPI_DEFAULTS_FILE: ${path} is not JSON (${(error as Error).message}).`);
  }
  return parseSyncDefaults(json, `OEAPI_DEFAULTS_FILE (${path})`);
}

/**
 * A fingerprint of what the mapping depends on besides the source: when it
 * changes, records the source did not touch map differently, so the next
 * run sweeps everything instead of trusting the watermark.
 */
export function configDigest(defaults: SyncDefaults): string {
  const sorted = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, item]) => [key, sorted(item)])) : value;
  return createHash('sha256').update(JSON.stringify(sorted(defaults))).digest('hex');
}

/** One variable of `npm run member:sync`, for --help and the README. */
export interface SyncVariable {
  name: string;
  fallback: string;
  description: string;
}

export const SYNC_VARIABLES: readonly SyncVariable[] = [
  { name: 'OEAPI_BASE_URL', fallback: '(required)', description: "the member's OEAPI 6.0 root, e.g. https://oeapi.utwente.nl/v6" },
  { name: 'OEAPI_TOKEN', fallback: '-', description: 'bearer token for the OEAPI server' },
  { name: 'OEAPI_USER, OEAPI_PASSWORD', fallback: '-', description: 'basic credentials instead of a token' },
  { name: 'OEAPI_AUTH', fallback: 'from the above', description: '"none" for a server behind mTLS or a gateway that authenticates' },
  { name: 'OEAPI_DEFAULTS_FILE', fallback: '(required)', description: 'JSON file with the fields OEAPI lacks (sync/README.md)' },
  { name: 'OEAPI_PAGE_SIZE', fallback: '100', description: `records per page: ${OEAPI_PAGE_SIZES.join(', ')} (the spec's enum)` },
  { name: 'OEAPI_TIMEOUT_MS', fallback: '10000', description: 'deadline of each request, body included' },
  { name: 'OEAPI_RETRIES', fallback: '2', description: 'extra attempts after a network error, timeout, 5xx or 429' },
  { name: 'OEAPI_MAX_PAGES', fallback: '1000', description: 'pages one listing may take before it is stopped as endless' },
  { name: 'OEAPI_MODIFIED_FIELD', fallback: MODIFIED_AT_FIELD, description: 'where records say when they changed (filter_query field)' },
  { name: 'OEAPI_SPEC_PATH', fallback: '../shared/oeapi/oeapi.yaml', description: 'the OEAPI 6.0 document responses are validated against' },
  { name: 'DATABASE_URL', fallback: 'sqlite:data/members/<id>.sqlite', description: "the member's database (--database wins)" },
  { name: 'SYNC_INTERVAL_SECONDS', fallback: '300', description: 'pause between runs (without --once)' },
  { name: 'SYNC_OVERLAP_SECONDS', fallback: '300', description: 'the watermark is the source clock at the last complete run minus this' },
  { name: 'SYNC_FULL_INTERVAL_HOURS', fallback: '24', description: 'a run is a full sweep (finds deletions) when the last one is older; 0: only with --full' },
  { name: 'SYNC_LOCK_STALE_SECONDS', fallback: '600', description: 'a run lock not renewed for this long is taken over' },
  { name: 'LOG_FORMAT', fallback: 'text', description: '"json" for one JSON object per progress line' },
];

export interface SyncSettings {
  baseUrl: string;
  auth: OeapiAuth;
  /** Safe to print: how the client authenticates, without the secret. */
  authDescription: string;
  pageSize: OeapiPageSize;
  timeoutMs: number;
  retries: number;
  maxPages: number;
  modifiedField: string;
  specPath: string;
  defaultsFile: string;
  intervalSeconds: number;
  overlapSeconds: number;
  fullIntervalHours: number;
  lockStaleSeconds: number;
}

function authOf(env: Env): { auth: OeapiAuth; description: string } {
  const token = env['OEAPI_TOKEN']?.trim();
  const user = env['OEAPI_USER']?.trim();
  const password = env['OEAPI_PASSWORD'];
  const mode = env['OEAPI_AUTH']?.trim().toLowerCase();
  if (mode === 'none') return { auth: { type: 'none' }, description: 'no credentials (OEAPI_AUTH=none)' };
  if (mode && mode !== 'bearer' && mode !== 'basic') throw new ConfigError(`OEAPI_AUTH must be bearer, basic or none; got "${mode}".`);
  if (token && user) throw new ConfigError('set OEAPI_TOKEN or OEAPI_USER/OEAPI_PASSWORD, not both.');
  if (token) return { auth: { type: 'bearer', token }, description: 'bearer token (OEAPI_TOKEN)' };
  if (user) {
    if (!password) throw new ConfigError('OEAPI_USER is set but OEAPI_PASSWORD is not.');
    return { auth: { type: 'basic', username: user, password }, description: `basic credentials of ${user}` };
  }
  throw new ConfigError('no OEAPI credentials: set OEAPI_TOKEN, or OEAPI_USER and OEAPI_PASSWORD (or OEAPI_AUTH=none behind an authenticating gateway).');
}

/** The sync's settings from the environment; every mistake is a ConfigError naming the variable. */
export function readSyncSettings(env: Env): SyncSettings {
  const baseUrl = readString(env, 'OEAPI_BASE_URL', '');
  if (!baseUrl) throw new ConfigError('OEAPI_BASE_URL is not set: the root of the member\'s OEAPI 6.0 server, e.g. https://oeapi.utwente.nl/v6.');
  try {
    const url = new URL(baseUrl);
    if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) throw new Error('bad');
  } catch {
    throw new ConfigError(`OEAPI_BASE_URL must be an http(s) URL without credentials, query or fragment; got "${baseUrl}".`);
  }
  const pageSize = readInt(env, 'OEAPI_PAGE_SIZE', 100, { min: 1, max: 250 });
  if (!OEAPI_PAGE_SIZES.includes(pageSize as OeapiPageSize)) throw new ConfigError(`OEAPI_PAGE_SIZE must be one of ${OEAPI_PAGE_SIZES.join(', ')} (the spec's enum); got ${pageSize}.`);
  const defaultsFile = readString(env, 'OEAPI_DEFAULTS_FILE', '');
  if (!defaultsFile) throw new ConfigError('OEAPI_DEFAULTS_FILE is not set: a JSON file with the fields OEAPI has no place for (see subgraphs/member/sync/README.md).');
  const { auth, description } = authOf(env);
  return {
    baseUrl,
    auth,
    authDescription: description,
    pageSize: pageSize as OeapiPageSize,
    timeoutMs: readInt(env, 'OEAPI_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 }),
    retries: readInt(env, 'OEAPI_RETRIES', 2, { min: 0, max: 10 }),
    maxPages: readInt(env, 'OEAPI_MAX_PAGES', 1_000, { min: 1, max: 1_000_000 }),
    modifiedField: readString(env, 'OEAPI_MODIFIED_FIELD', MODIFIED_AT_FIELD),
    specPath: readString(env, 'OEAPI_SPEC_PATH', DEFAULT_OEAPI_SPEC_PATH),
    defaultsFile,
    intervalSeconds: readInt(env, 'SYNC_INTERVAL_SECONDS', 300, { min: 1, max: 86_400 }),
    overlapSeconds: readInt(env, 'SYNC_OVERLAP_SECONDS', 300, { min: 0, max: 86_400 }),
    fullIntervalHours: readInt(env, 'SYNC_FULL_INTERVAL_HOURS', 24, { min: 0, max: 24 * 365 }),
    lockStaleSeconds: readInt(env, 'SYNC_LOCK_STALE_SECONDS', 600, { min: 1, max: 86_400 }),
  };
}
