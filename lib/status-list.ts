import { Buffer } from 'node:buffer';
import { gunzipSync, gzipSync } from 'node:zlib';

/*
 * W3C Bitstring Status List v1.0 (Recommendation, 15 May 2025), the part that is
 * pure data: the bitstring, its `encodedList` form, the unsigned status list
 * credential and the `credentialStatus` entry that points into it. No I/O and no
 * module state, so the issuance service, the verifier and the tests share one
 * definition of the bit order and the encoding.
 *
 * Checked against `@digitalbazaar/vc-bitstring-status-list` 2.0.1 in
 * test/issuance/status-list.test.ts: both read each other's lists bit for bit.
 */

/**
 * Entries per list. The spec's validate algorithm raises STATUS_LIST_LENGTH_ERROR
 * below 131,072 entries ("unless a different lower bound is established by a
 * specific ecosystem specification") because a smaller list gives a holder too
 * small a crowd to hide in when a verifier fetches it. 131,072 bits = 16 KiB.
 */
export const STATUS_LIST_LENGTH = 131_072;

/**
 * Default ceiling for a decompressed list: 16 MiB is 128 Mi entries, a thousand
 * times the minimum, and still small enough that a hostile `encodedList` (a
 * gzip bomb: a few KB that inflate to gigabytes) cannot exhaust memory.
 */
export const DEFAULT_MAX_DECODED_BYTES = 16 * 1024 * 1024;

/**
 * `ttl` we publish, in milliseconds. The spec makes `credentialSubject.ttl`
 * OPTIONAL, says "if not present, no default value is assumed", that it does not
 * override validFrom/validUntil, and that publishers SHOULD align HTTP caching
 * (`Cache-Control`) with it. Issue 4 requires a revocation to be visible to
 * verifiers "at once", so we publish 0 (refresh before every use); the HTTP route
 * serving the list must send a matching `Cache-Control: no-cache`/`max-age=0`.
 */
export const DEFAULT_STATUS_LIST_TTL_MS = 0;

export type StatusPurpose = 'revocation' | 'suspension';

const STATUS_PURPOSES: ReadonlySet<string> = new Set<StatusPurpose>(['revocation', 'suspension']);

/**
 * The spec's error names (section 3 and VC Data Model 2.0 section 7.x), so a
 * verifier can report *why* a status could not be read, not just that it failed.
 */
export type StatusListErrorCode =
  | 'MALFORMED_VALUE_ERROR'
  | 'STATUS_VERIFICATION_ERROR'
  | 'STATUS_LIST_LENGTH_ERROR'
  | 'RANGE_ERROR'
  | 'STATUS_LIST_TOO_LARGE';

export class StatusListError extends Error {
  readonly code: StatusListErrorCode;

  constructor(code: StatusListErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StatusListError';
    this.code = code;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return typeof value;
}

function assertIndex(index: unknown, length: number): asserts index is number {
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    throw new StatusListError('RANGE_ERROR', `Status list index must be a non-negative integer; got ${describe(index)}.`);
  }
  if (index >= length) {
    throw new StatusListError('RANGE_ERROR', `Status list index ${index} is out of range 0..${length - 1}.`);
  }
}

function assertByteLimit(maxBytes: unknown): asserts maxBytes is number {
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new RangeError(`maxBytes must be a positive integer; got ${describe(maxBytes)}.`);
  }
}

/**
 * A status bitstring. Bit `index` lives in byte `index >> 3`, and index 0 is the
 * most significant bit of byte 0 ("the first index … is located at the left-most
 * bit in the bitstring"), so 0x80 in byte 0 means entry 0 is set.
 */
export class Bitstring {
  /** The raw bytes, big-endian bit order; what `encodeList` compresses. */
  readonly bytes: Uint8Array;

  /**
   * @param length Number of entries. A multiple of 8, so that a list decoded
   *   from bytes has exactly the length it was created with.
   */
  constructor(length: number = STATUS_LIST_LENGTH) {
    if (!Number.isSafeInteger(length) || length <= 0 || length % 8 !== 0) {
      throw new RangeError(`Bitstring length must be a positive multiple of 8; got ${describe(length)}.`);
    }
    this.bytes = new Uint8Array(length / 8);
  }

  /** A bitstring over a copy of `bytes` (a copy, so the caller's buffer is never changed behind its back). */
  static fromBytes(bytes: Uint8Array): Bitstring {
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
      throw new TypeError('Bitstring bytes must be a non-empty Uint8Array.');
    }
    const bitstring = new Bitstring(bytes.length * 8);
    bitstring.bytes.set(bytes);
    return bitstring;
  }

  /** Decodes an `encodedList` (see `decodeList`). */
  static decode(encoded: string, options: DecodeOptions = {}): Bitstring {
    return Bitstring.fromBytes(decodeList(encoded, options));
  }

  /** Number of entries. */
  get length(): number {
    return this.bytes.length * 8;
  }

  get(index: number): boolean {
    assertIndex(index, this.length);
    return ((this.bytes[index >> 3] as number) & (0x80 >> (index & 7))) !== 0;
  }

  set(index: number, value: boolean): void {
    assertIndex(index, this.length);
    if (typeof value !== 'boolean') {
      throw new TypeError(`Status value must be a boolean; got ${describe(value)}.`);
    }
    const mask = 0x80 >> (index & 7);
    const byte = this.bytes[index >> 3] as number;
    this.bytes[index >> 3] = value ? byte | mask : byte & ~mask;
  }

  /** The `encodedList` value for this bitstring. */
  encode(): string {
    return encodeList(this.bytes);
  }
}

/**
 * `encodedList`: "u" (the multibase prefix for base64url without padding) +
 * base64url(GZIP(bitstring)). GZIP (RFC 1952), not zlib or raw deflate: the spec
 * names GZIP and other implementations check for its header.
 */
export function encodeList(bits: Uint8Array): string {
  if (!(bits instanceof Uint8Array) || bits.length === 0) {
    throw new TypeError('encodeList needs a non-empty Uint8Array bitstring.');
  }
  return `u${gzipSync(bits).toString('base64url')}`;
}

export interface DecodeOptions {
  /** Largest decompressed size accepted, in bytes; default 16 MiB. */
  maxBytes?: number;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Inverse of `encodeList`, written for input from anyone (a status list fetched
 * from an issuer we may not trust): only the "u" prefix, only canonical base64url
 * without padding, only GZIP, and never more than `maxBytes` of output.
 */
export function decodeList(encoded: string, options: DecodeOptions = {}): Uint8Array {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DECODED_BYTES;
  assertByteLimit(maxBytes);
  if (typeof encoded !== 'string' || encoded.length === 0) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', `encodedList must be a non-empty string; got ${describe(encoded)}.`);
  }
  // Multibase: the spec requires base64url-no-pad, whose prefix is "u". Other
  // prefixes ("z" base58btc, "m" base64 …) are valid multibase but not allowed here.
  if (encoded[0] !== 'u') {
    throw new StatusListError(
      'MALFORMED_VALUE_ERROR',
      `encodedList must start with the multibase prefix "u" (base64url, no padding); got ${describe(encoded[0])}.`,
    );
  }
  const body = encoded.slice(1);
  // Node's base64url decoder skips characters it does not know and accepts
  // padding, so it would silently read garbage; check the alphabet first, and
  // then that the text is the canonical encoding of what it decodes to (no
  // stray trailing bits, no impossible length).
  if (!BASE64URL.test(body)) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', 'encodedList is not base64url without padding (characters outside A-Z a-z 0-9 - _).');
  }
  const compressed = Buffer.from(body, 'base64url');
  if (compressed.toString('base64url') !== body) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', 'encodedList is not canonical base64url (bad length or trailing bits).');
  }
  let bytes: Buffer;
  try {
    // maxOutputLength makes zlib stop inflating at the limit instead of
    // allocating whatever the input asks for: the gzip-bomb guard.
    bytes = gunzipSync(compressed, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new StatusListError('STATUS_LIST_TOO_LARGE', `encodedList decompresses to more than ${maxBytes} bytes; refused.`, { cause: error });
    }
    throw new StatusListError('MALFORMED_VALUE_ERROR', `encodedList is not GZIP-compressed data: ${(error as Error).message}.`, { cause: error });
  }
  if (bytes.length === 0) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', 'encodedList decompresses to an empty bitstring.');
  }
  // A plain, exactly sized Uint8Array: a Buffer may be a view into a shared
  // pool, and code that reads `.buffer` (as @digitalbazaar/bitstring does)
  // would then see other bytes.
  return new Uint8Array(bytes);
}

/** Issuer as VC 2.0 allows it: a URL, or an object with an `id`. */
export type Issuer = string | ({ id: string } & Record<string, unknown>);

export interface BitstringStatusListSubject {
  id: string;
  type: 'BitstringStatusList';
  statusPurpose: StatusPurpose;
  encodedList: string;
  /** Milliseconds before a verifier should fetch the list again (spec: credentialSubject.ttl). */
  ttl?: number;
}

export interface BitstringStatusListCredential {
  '@context': ['https://www.w3.org/ns/credentials/v2'];
  id: string;
  type: ['VerifiableCredential', 'BitstringStatusListCredential'];
  issuer: Issuer;
  validFrom: string;
  validUntil?: string;
  credentialSubject: BitstringStatusListSubject;
}

export interface StatusListCredentialInput {
  /** URL the list credential is published at; `statusListCredential` in every entry. */
  id: string;
  issuer: Issuer;
  statusPurpose: StatusPurpose;
  encodedList: string;
  validFrom: Date | string;
  validUntil?: Date | string | undefined;
  /** Milliseconds; default DEFAULT_STATUS_LIST_TTL_MS (0). `null` leaves `ttl` out. */
  ttl?: number | null;
  /** Smallest number of entries accepted; default STATUS_LIST_LENGTH. */
  minEntries?: number;
}

// xsd:dateTimeStamp, the type VC 2.0 gives validFrom/validUntil: a timezone is mandatory.
const DATE_TIME_STAMP = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function dateTimeStamp(value: Date | string, name: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError(`${name} is an invalid Date.`);
    // Whole seconds: milliseconds add nothing to a validity period and make the text noisier.
    return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (typeof value !== 'string' || !DATE_TIME_STAMP.test(value) || Number.isNaN(Date.parse(value))) {
    throw new RangeError(`${name} must be a Date or an XML Schema dateTimeStamp with a timezone; got ${describe(value)}.`);
  }
  return value;
}

function assertPurpose(purpose: unknown, name: string): asserts purpose is StatusPurpose {
  if (typeof purpose !== 'string' || !STATUS_PURPOSES.has(purpose)) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', `${name} must be "revocation" or "suspension"; got ${describe(purpose)}.`);
  }
}

function assertUrl(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', `${name} must be an absolute URL; got ${describe(value)}.`);
  }
}

/**
 * The unsigned BitstringStatusListCredential (VC Data Model 2.0). It is checked
 * before it is returned, so the service cannot publish a list the spec's
 * validate algorithm would reject (wrong prefix, not GZIP, under 131,072 entries).
 */
export function statusListCredential(input: StatusListCredentialInput): BitstringStatusListCredential {
  assertUrl(input.id, 'Status list credential id');
  const issuerId = typeof input.issuer === 'string' ? input.issuer : input.issuer?.id;
  assertUrl(issuerId, 'Status list credential issuer');
  assertPurpose(input.statusPurpose, 'statusPurpose');
  const minEntries = input.minEntries ?? STATUS_LIST_LENGTH;
  const entries = decodeList(input.encodedList).length * 8;
  if (entries < minEntries) {
    throw new StatusListError('STATUS_LIST_LENGTH_ERROR', `The status list has ${entries} entries; at least ${minEntries} are required.`);
  }
  const ttl = input.ttl === undefined ? DEFAULT_STATUS_LIST_TTL_MS : input.ttl;
  if (ttl !== null && (!Number.isSafeInteger(ttl) || ttl < 0)) {
    throw new RangeError(`ttl must be a non-negative integer number of milliseconds; got ${describe(ttl)}.`);
  }
  const validFrom = dateTimeStamp(input.validFrom, 'validFrom');
  const validUntil = input.validUntil === undefined ? undefined : dateTimeStamp(input.validUntil, 'validUntil');
  if (validUntil !== undefined && Date.parse(validUntil) <= Date.parse(validFrom)) {
    throw new RangeError(`validUntil (${validUntil}) must be after validFrom (${validFrom}).`);
  }
  return {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: input.id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuer,
    validFrom,
    ...(validUntil === undefined ? {} : { validUntil }),
    credentialSubject: {
      id: `${input.id}#list`,
      type: 'BitstringStatusList',
      statusPurpose: input.statusPurpose,
      encodedList: input.encodedList,
      // ttl belongs to the list (credentialSubject.ttl in the spec), not to the credential.
      ...(ttl === null ? {} : { ttl }),
    },
  };
}

export interface BitstringStatusListEntry {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: StatusPurpose;
  /** A base-10 string, as the spec requires (not a JSON number). */
  statusListIndex: string;
  statusListCredential: string;
}

/**
 * The `credentialStatus` entry of an issued credential. `id` is the list URL
 * plus "#index": unique per credential and never equal to
 * `statusListCredential`, which some verifiers (digitalbazaar's) reject.
 */
export function statusEntry(input: {
  listUrl: string;
  index: number;
  statusPurpose: StatusPurpose;
  /** Entries in the list the index points into; default STATUS_LIST_LENGTH. */
  listLength?: number;
}): BitstringStatusListEntry {
  assertUrl(input.listUrl, 'listUrl');
  assertPurpose(input.statusPurpose, 'statusPurpose');
  // Catch an index past the end when issuing, not when a verifier first reads it.
  assertIndex(input.index, input.listLength ?? STATUS_LIST_LENGTH);
  return {
    id: `${input.listUrl}#${input.index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: input.statusPurpose,
    statusListIndex: String(input.index),
    statusListCredential: input.listUrl,
  };
}

export interface ReadStatusOptions extends DecodeOptions {
  /** Smallest list accepted (STATUS_LIST_LENGTH_ERROR below it); default STATUS_LIST_LENGTH. */
  minEntries?: number;
}

// "an arbitrary size integer greater than or equal to 0, expressed as a string in base 10";
// no sign, no leading zeros, no exponent, so one index has exactly one spelling.
const INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * Steps 5–9 of the spec's validate algorithm: whether the entry's bit is set
 * (true = revoked / suspended). The caller must already have fetched the list
 * credential named by `entry.statusListCredential` and verified its signature
 * and issuer; this function only reads the list.
 *
 * Accepts `unknown` on purpose: both arguments come from documents a stranger
 * may have written, and every shape error becomes a StatusListError with a code.
 */
export function readStatus(entry: unknown, listCredentialSubject: unknown, options: ReadStatusOptions = {}): boolean {
  if (typeof entry !== 'object' || entry === null) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', 'credentialStatus entry must be an object.');
  }
  if (typeof listCredentialSubject !== 'object' || listCredentialSubject === null) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', 'Status list credentialSubject must be an object.');
  }
  const e = entry as Record<string, unknown>;
  const s = listCredentialSubject as Record<string, unknown>;
  if (e['type'] !== 'BitstringStatusListEntry') {
    throw new StatusListError('MALFORMED_VALUE_ERROR', `credentialStatus type must be "BitstringStatusListEntry"; got ${describe(e['type'])}.`);
  }
  if (s['type'] !== 'BitstringStatusList') {
    throw new StatusListError('MALFORMED_VALUE_ERROR', `Status list credentialSubject type must be "BitstringStatusList"; got ${describe(s['type'])}.`);
  }
  // Only single-bit statuses: the spec lets conforming processors support only statusSize 1.
  if (e['statusSize'] !== undefined && e['statusSize'] !== 1) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', `Only statusSize 1 is supported; got ${describe(e['statusSize'])}.`);
  }
  const purpose = e['statusPurpose'];
  if (typeof purpose !== 'string' || purpose.length === 0) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', `credentialStatus statusPurpose must be a string; got ${describe(purpose)}.`);
  }
  // The spec allows the list's statusPurpose to be one string or several.
  const listPurposes = Array.isArray(s['statusPurpose']) ? (s['statusPurpose'] as unknown[]) : [s['statusPurpose']];
  if (!listPurposes.includes(purpose)) {
    throw new StatusListError(
      'STATUS_VERIFICATION_ERROR',
      `Status purpose mismatch: the credential's entry is for "${purpose}" but the status list is for ${listPurposes.map(describe).join(', ')}.`,
    );
  }
  const rawIndex = e['statusListIndex'];
  if (typeof rawIndex !== 'string' || !INDEX.test(rawIndex)) {
    throw new StatusListError('MALFORMED_VALUE_ERROR', `statusListIndex must be a base-10 integer string such as "94567"; got ${describe(rawIndex)}.`);
  }
  const index = Number(rawIndex);
  if (typeof s['encodedList'] !== 'string') {
    throw new StatusListError('MALFORMED_VALUE_ERROR', 'Status list credentialSubject has no encodedList string.');
  }
  const bitstring = Bitstring.fromBytes(decodeList(s['encodedList'], options));
  const minEntries = options.minEntries ?? STATUS_LIST_LENGTH;
  if (bitstring.length < minEntries) {
    throw new StatusListError('STATUS_LIST_LENGTH_ERROR', `The status list has ${bitstring.length} entries; at least ${minEntries} are required.`);
  }
  if (!Number.isSafeInteger(index) || index >= bitstring.length) {
    throw new StatusListError('RANGE_ERROR', `statusListIndex ${rawIndex} is out of range 0..${bitstring.length - 1}.`);
  }
  return bitstring.get(index);
}
