import { Buffer } from 'node:buffer';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { randomStream } from '../../hub/demo.js';
import {
  Bitstring,
  DEFAULT_MAX_DECODED_BYTES,
  decodeList,
  encodeList,
  readStatus,
  STATUS_LIST_LENGTH,
  StatusListError,
  statusEntry,
  statusListCredential,
  type StatusListErrorCode,
} from '../../lib/status-list.js';

/*
 * Bitstring Status List v1.0 encoding, checked three ways: against the spec's
 * own statements (bit order, "u" + base64url(GZIP), 131,072 minimum), against
 * hostile input (wrong prefix, bad base64url, gzip bombs), and against an
 * independent implementation, @digitalbazaar/vc-bitstring-status-list 2.0.1
 * (test-only dependency).
 *
 * What reading that library's source (lib/BitstringStatusList.js,
 * @digitalbazaar/bitstring lib/index.js) showed:
 * - `list.encode()` returns the value WITH the "u" prefix ('u' + base64url of
 *   pako.gzip(bits), no padding); `decodeList({ encodedList })` REQUIRES the
 *   prefix and throws 'Could not decode encoded status list; reason: "encodedList"
 *   must start with the character "u".' without it. So values pass between the
 *   two implementations unchanged.
 * - Bit order is the same as ours (leftToRightIndexing: index 0 = 0x80 of byte 0).
 * - Its decoder has no size limit (pako.ungzip inflates whatever it is given).
 * - `new BitstringStatusList({ buffer })` wraps `buffer.buffer`, the whole
 *   ArrayBuffer: hand it a Node Buffer that is a slice of the shared pool and it
 *   reads the wrong bytes. Always pass it a fresh, exactly sized Uint8Array.
 * - For the empty 131,072-entry list both libraries produce the very string the
 *   spec shows in its example credential (pako is a port of zlib, same level).
 *   Not asserted byte for byte: another zlib build (Node 22+ uses Chromium's)
 *   may compress differently and still be correct.
 */

interface TheirList {
  length: number;
  setStatus(index: number, status: boolean): void;
  getStatus(index: number): boolean;
  encode(): Promise<string>;
}

interface TheirModule {
  createList(options: { length: number }): Promise<TheirList>;
  decodeList(options: { encodedList: string }): Promise<TheirList>;
  BitstringStatusList: new (options: { buffer: Uint8Array }) => TheirList;
  createCredential(options: { id: string; list: TheirList; statusPurpose: string }): Promise<Record<string, unknown>>;
  checkStatus(options: {
    credential: unknown;
    documentLoader: (url: string) => Promise<{ document: unknown }>;
    verifyBitstringStatusListCredential: boolean;
    verifyMatchingIssuers: boolean;
  }): Promise<{ verified: boolean; error?: Error; results?: { status: boolean }[] }>;
}

// The package ships no type declarations. A non-literal specifier makes TypeScript
// type the import as `any` whether or not someone later adds a declaration (a
// `@ts-expect-error` would then fail), and TheirModule types the part we use.
const REFERENCE_PACKAGE: string = '@digitalbazaar/vc-bitstring-status-list';
const theirs = (await import(REFERENCE_PACKAGE)) as TheirModule;

/** The encodedList of the example credential in the spec: an all-zero 131,072-bit list. */
const SPEC_EXAMPLE_EMPTY_LIST = 'uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA';

const LIST_URL = 'https://hub.eciu.example/credentials/status/revocation/0';
const ISSUER = 'https://hub.eciu.example';

const EDGE_INDICES = [0, 1, 6, 7, 8, 9, 15, 16, 1023, 1024, 65_535, 65_536, 131_064, 131_070, 131_071];

function randomIndices(seed: number, count: number, length = STATUS_LIST_LENGTH): number[] {
  // The demo generator's deterministic stream, so a failing random index can be reproduced.
  const next = randomStream(`status-list-${seed}`);
  const indices = new Set<number>();
  while (indices.size < count) indices.add(Math.floor(next() * length));
  return [...indices];
}

/** Indices to probe after setting `set`: the set ones, their neighbours, and the edges. */
function probes(set: number[]): number[] {
  const all = new Set<number>(EDGE_INDICES);
  for (const index of set) for (const near of [index - 1, index, index + 1]) if (near >= 0 && near < STATUS_LIST_LENGTH) all.add(near);
  return [...all].sort((a, b) => a - b);
}

function expectCode(run: () => unknown, code: StatusListErrorCode, message?: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected an error').toBeInstanceOf(StatusListError);
  expect((thrown as StatusListError).code).toBe(code);
  if (message) expect((thrown as StatusListError).message).toMatch(message);
}

function subjectFor(bitstring: Bitstring, statusPurpose: 'revocation' | 'suspension' = 'revocation') {
  return statusListCredential({ id: LIST_URL, issuer: ISSUER, statusPurpose, encodedList: bitstring.encode(), validFrom: '2025-01-01T00:00:00Z' })
    .credentialSubject;
}

describe('Bitstring', () => {
  it('defaults to the 131,072-entry (16 KiB) minimum list', () => {
    const bits = new Bitstring();
    expect(STATUS_LIST_LENGTH).toBe(131_072);
    expect(bits.length).toBe(STATUS_LIST_LENGTH);
    expect(bits.bytes.length).toBe(16_384);
    expect(bits.bytes.every((byte) => byte === 0)).toBe(true);
  });

  it('puts index 0 at the most significant bit of byte 0', () => {
    const bits = new Bitstring(16);
    bits.set(0, true);
    expect([...bits.bytes]).toEqual([0x80, 0x00]);
  });

  it('puts index 7 at the least significant bit of byte 0', () => {
    const bits = new Bitstring(16);
    bits.set(7, true);
    expect([...bits.bytes]).toEqual([0x01, 0x00]);
  });

  it('puts index 8 at the most significant bit of byte 1', () => {
    const bits = new Bitstring(16);
    bits.set(8, true);
    expect([...bits.bytes]).toEqual([0x00, 0x80]);
  });

  it('reads bits from bytes in the same order', () => {
    const bits = Bitstring.fromBytes(Uint8Array.of(0b1010_0001, 0b0100_0000));
    const read = Array.from({ length: 16 }, (_, index) => bits.get(index));
    expect(read).toEqual([true, false, true, false, false, false, false, true, false, true, false, false, false, false, false, false]);
  });

  it('sets and unsets a bit without touching its neighbours', () => {
    const bits = new Bitstring();
    for (const index of [99, 100, 101]) bits.set(index, true);
    bits.set(100, false);
    expect([bits.get(99), bits.get(100), bits.get(101)]).toEqual([true, false, true]);
    bits.set(100, true);
    bits.set(100, true); // idempotent
    expect(bits.get(100)).toBe(true);
    bits.set(99, false);
    bits.set(99, false);
    expect([bits.get(99), bits.get(100), bits.get(101)]).toEqual([false, true, true]);
  });

  it('copies the bytes it is built from', () => {
    const source = new Uint8Array(2);
    const bits = Bitstring.fromBytes(source);
    bits.set(0, true);
    expect(source[0]).toBe(0);
  });

  it.each([-1, 131_072, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses index %s with a range error', (index) => {
    const bits = new Bitstring();
    expectCode(() => bits.get(index), 'RANGE_ERROR', /Status list index/);
    expectCode(() => bits.set(index, true), 'RANGE_ERROR', /Status list index/);
  });

  it('names the valid range in the error', () => {
    expect(() => new Bitstring().get(131_072)).toThrow('Status list index 131072 is out of range 0..131071.');
  });

  it('refuses a non-boolean value and lengths that are not whole bytes', () => {
    expect(() => new Bitstring().set(0, 1 as unknown as boolean)).toThrow(/must be a boolean/);
    expect(() => new Bitstring(12)).toThrow(/positive multiple of 8/);
    expect(() => new Bitstring(0)).toThrow(/positive multiple of 8/);
    expect(() => Bitstring.fromBytes(new Uint8Array(0))).toThrow(/non-empty/);
  });
});

describe('encodeList and decodeList', () => {
  it('round-trips an empty, a sparse and a dense list', () => {
    const empty = new Bitstring();
    const sparse = new Bitstring();
    for (const index of randomIndices(1, 500)) sparse.set(index, true);
    const dense = new Bitstring();
    for (const index of randomIndices(2, 100_000)) dense.set(index, true);
    for (const bits of [empty, sparse, dense]) {
      const decoded = decodeList(encodeList(bits.bytes));
      expect(decoded).toEqual(bits.bytes);
      expect(Bitstring.decode(bits.encode()).bytes).toEqual(bits.bytes);
    }
  });

  it('encodes as "u" + base64url without padding of a GZIP stream', () => {
    const bits = new Bitstring();
    bits.set(42, true);
    const encoded = encodeList(bits.bytes);
    expect(encoded).toMatch(/^u[A-Za-z0-9_-]+$/);
    const compressed = Buffer.from(encoded.slice(1), 'base64url');
    // GZIP magic number (RFC 1952), not zlib (0x78) or raw deflate.
    expect([compressed[0], compressed[1]]).toEqual([0x1f, 0x8b]);
  });

  it('keeps an empty 131,072-bit list short', () => {
    const encoded = new Bitstring().encode();
    // 16 KiB of zeros: GZIP header + a few bytes of deflate + trailer.
    expect(encoded.length).toBeLessThan(100);
  });

  it('reads the spec example as an all-zero 131,072-bit list', () => {
    const decoded = decodeList(SPEC_EXAMPLE_EMPTY_LIST);
    expect(decoded.length * 8).toBe(STATUS_LIST_LENGTH);
    expect(decoded.every((byte) => byte === 0)).toBe(true);
  });

  it('returns a plain, exactly sized Uint8Array', () => {
    const decoded = decodeList(new Bitstring().encode());
    expect(decoded.byteOffset).toBe(0);
    expect(decoded.buffer.byteLength).toBe(decoded.length);
  });

  it.each([
    ['no prefix', SPEC_EXAMPLE_EMPTY_LIST.slice(1), /multibase prefix "u"/],
    ['base58btc prefix', `z${SPEC_EXAMPLE_EMPTY_LIST.slice(1)}`, /multibase prefix "u"/],
    ['base64 prefix', `m${SPEC_EXAMPLE_EMPTY_LIST.slice(1)}`, /multibase prefix "u"/],
    ['upper-case U', `U${SPEC_EXAMPLE_EMPTY_LIST.slice(1)}`, /multibase prefix "u"/],
    ['empty string', '', /non-empty string/],
  ])('refuses a wrong prefix (%s)', (_name, encoded, message) => {
    expectCode(() => decodeList(encoded), 'MALFORMED_VALUE_ERROR', message);
  });

  it.each([
    ['nothing after the prefix', 'u'],
    ['standard base64 "+"', `${SPEC_EXAMPLE_EMPTY_LIST.slice(0, 10)}+${SPEC_EXAMPLE_EMPTY_LIST.slice(11)}`],
    ['standard base64 "/"', `${SPEC_EXAMPLE_EMPTY_LIST.slice(0, 10)}/${SPEC_EXAMPLE_EMPTY_LIST.slice(11)}`],
    ['padding', `${SPEC_EXAMPLE_EMPTY_LIST}=`],
    ['whitespace', `${SPEC_EXAMPLE_EMPTY_LIST.slice(0, 20)} ${SPEC_EXAMPLE_EMPTY_LIST.slice(20)}`],
    ['a length that no byte string has (4n+1)', `u${'A'.repeat(5)}`],
    ['non-canonical trailing bits', 'uAB'],
  ])('refuses malformed base64url (%s)', (_name, encoded) => {
    expectCode(() => decodeList(encoded), 'MALFORMED_VALUE_ERROR', /base64url/);
  });

  it.each([
    ['raw bytes', Buffer.alloc(16_384)],
    ['zlib instead of GZIP', deflateSync(Buffer.alloc(16_384))],
    ['truncated GZIP', gzipSync(Buffer.alloc(16_384)).subarray(0, 20)],
  ])('refuses data that is not GZIP (%s)', (_name, data) => {
    expectCode(() => decodeList(`u${data.toString('base64url')}`), 'MALFORMED_VALUE_ERROR', /not GZIP/);
  });

  it('refuses GZIP of nothing', () => {
    expectCode(() => decodeList(`u${gzipSync(Buffer.alloc(0)).toString('base64url')}`), 'MALFORMED_VALUE_ERROR', /empty bitstring/);
  });

  describe('gzip bombs', () => {
    // 64 MiB of zeros compress to ~64 KB: 1000:1.
    const bomb = `u${gzipSync(Buffer.alloc(64 * 1024 * 1024)).toString('base64url')}`;

    it('refuses one larger than maxBytes, quickly', () => {
      expect(bomb.length).toBeLessThan(100_000);
      const started = performance.now();
      expectCode(() => decodeList(bomb, { maxBytes: 1024 * 1024 }), 'STATUS_LIST_TOO_LARGE', /more than 1048576 bytes/);
      // Inflating stops at the limit instead of producing 64 MiB first.
      expect(performance.now() - started).toBeLessThan(1000);
    });

    it('refuses one larger than the 16 MiB default', () => {
      expect(DEFAULT_MAX_DECODED_BYTES).toBe(16 * 1024 * 1024);
      expectCode(() => decodeList(bomb), 'STATUS_LIST_TOO_LARGE');
    });

    it('refuses it in readStatus and statusListCredential too', () => {
      const entry = statusEntry({ listUrl: LIST_URL, index: 0, statusPurpose: 'revocation' });
      const subject = { type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: bomb };
      expectCode(() => readStatus(entry, subject, { maxBytes: 1024 * 1024 }), 'STATUS_LIST_TOO_LARGE');
      expectCode(
        () => statusListCredential({ id: LIST_URL, issuer: ISSUER, statusPurpose: 'revocation', encodedList: bomb, validFrom: new Date() }),
        'STATUS_LIST_TOO_LARGE',
      );
    });

    it('accepts a list exactly at the limit', () => {
      const encoded = encodeList(new Uint8Array(16_384));
      expect(decodeList(encoded, { maxBytes: 16_384 }).length).toBe(16_384);
      expectCode(() => decodeList(encoded, { maxBytes: 16_383 }), 'STATUS_LIST_TOO_LARGE');
    });
  });

  it('refuses a nonsensical maxBytes', () => {
    expect(() => decodeList(SPEC_EXAMPLE_EMPTY_LIST, { maxBytes: 0 })).toThrow(/maxBytes must be a positive integer/);
    expect(() => decodeList(SPEC_EXAMPLE_EMPTY_LIST, { maxBytes: 1.5 })).toThrow(/maxBytes must be a positive integer/);
  });
});

describe('statusListCredential', () => {
  it('builds the unsigned VC 2.0 BitstringStatusListCredential', () => {
    const encodedList = new Bitstring().encode();
    const credential = statusListCredential({
      id: LIST_URL,
      issuer: ISSUER,
      statusPurpose: 'suspension',
      encodedList,
      validFrom: new Date('2025-03-01T12:00:00.123Z'),
      validUntil: '2025-03-02T12:00:00Z',
    });
    expect(credential).toEqual({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: LIST_URL,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: ISSUER,
      validFrom: '2025-03-01T12:00:00Z',
      validUntil: '2025-03-02T12:00:00Z',
      credentialSubject: { id: `${LIST_URL}#list`, type: 'BitstringStatusList', statusPurpose: 'suspension', encodedList, ttl: 0 },
    });
  });

  it('puts ttl on the list (credentialSubject), and can leave it out', () => {
    const base = { id: LIST_URL, issuer: ISSUER, statusPurpose: 'revocation' as const, encodedList: SPEC_EXAMPLE_EMPTY_LIST, validFrom: new Date() };
    expect(statusListCredential({ ...base, ttl: 60_000 }).credentialSubject.ttl).toBe(60_000);
    const withoutTtl = statusListCredential({ ...base, ttl: null });
    expect('ttl' in withoutTtl.credentialSubject).toBe(false);
    expect('ttl' in withoutTtl).toBe(false);
    expect('validUntil' in withoutTtl).toBe(false);
    expect(() => statusListCredential({ ...base, ttl: -1 })).toThrow(/ttl must be a non-negative integer/);
  });

  it('has the shape the reference implementation creates', async () => {
    const list = await theirs.createList({ length: STATUS_LIST_LENGTH });
    const reference = await theirs.createCredential({ id: LIST_URL, list, statusPurpose: 'revocation' });
    const ours = statusListCredential({ id: LIST_URL, issuer: ISSUER, statusPurpose: 'revocation', encodedList: await list.encode(), validFrom: new Date(), ttl: null });
    // Theirs leaves issuer and validFrom to the caller; everything it does set must agree.
    expect({ ...ours, issuer: undefined, validFrom: undefined }).toEqual({ ...reference, issuer: undefined, validFrom: undefined });
  });

  it('refuses lists the spec would reject, and bad input', () => {
    const base = { id: LIST_URL, issuer: ISSUER, statusPurpose: 'revocation' as const, encodedList: SPEC_EXAMPLE_EMPTY_LIST, validFrom: new Date() };
    expectCode(() => statusListCredential({ ...base, encodedList: encodeList(new Uint8Array(1024)) }), 'STATUS_LIST_LENGTH_ERROR', /8192 entries; at least 131072/);
    expect(statusListCredential({ ...base, encodedList: encodeList(new Uint8Array(1024)), minEntries: 8192 }).credentialSubject.encodedList).toMatch(/^u/);
    expectCode(() => statusListCredential({ ...base, encodedList: 'not-a-list' }), 'MALFORMED_VALUE_ERROR');
    expectCode(() => statusListCredential({ ...base, statusPurpose: 'refresh' as 'revocation' }), 'MALFORMED_VALUE_ERROR', /statusPurpose/);
    expectCode(() => statusListCredential({ ...base, id: 'status/0' }), 'MALFORMED_VALUE_ERROR', /absolute URL/);
    expect(() => statusListCredential({ ...base, validFrom: '2025-01-01' })).toThrow(/dateTimeStamp/);
    expect(() => statusListCredential({ ...base, validFrom: new Date('nope') })).toThrow(/invalid Date/);
    expect(() => statusListCredential({ ...base, validFrom: '2025-01-02T00:00:00Z', validUntil: '2025-01-01T00:00:00Z' })).toThrow(/must be after validFrom/);
  });

  it('accepts an issuer object', () => {
    const issuer = { id: ISSUER, name: 'ECIU' };
    expect(statusListCredential({ id: LIST_URL, issuer, statusPurpose: 'revocation', encodedList: SPEC_EXAMPLE_EMPTY_LIST, validFrom: new Date() }).issuer).toEqual(issuer);
  });
});

describe('statusEntry', () => {
  it('builds a BitstringStatusListEntry with a string index', () => {
    expect(statusEntry({ listUrl: LIST_URL, index: 94_567, statusPurpose: 'revocation' })).toEqual({
      id: `${LIST_URL}#94567`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '94567',
      statusListCredential: LIST_URL,
    });
  });

  it('refuses an index outside the list and a bad URL or purpose', () => {
    expectCode(() => statusEntry({ listUrl: LIST_URL, index: 131_072, statusPurpose: 'revocation' }), 'RANGE_ERROR', /out of range 0..131071/);
    expectCode(() => statusEntry({ listUrl: LIST_URL, index: -1, statusPurpose: 'revocation' }), 'RANGE_ERROR');
    expect(statusEntry({ listUrl: LIST_URL, index: 200_000, statusPurpose: 'revocation', listLength: 262_144 }).statusListIndex).toBe('200000');
    expectCode(() => statusEntry({ listUrl: '/relative', index: 1, statusPurpose: 'revocation' }), 'MALFORMED_VALUE_ERROR');
    expectCode(() => statusEntry({ listUrl: LIST_URL, index: 1, statusPurpose: 'message' as 'revocation' }), 'MALFORMED_VALUE_ERROR');
  });
});

describe('readStatus', () => {
  const bits = new Bitstring();
  bits.set(5, true);
  const revocations = subjectFor(bits, 'revocation');
  const entry = (index: number, statusPurpose: 'revocation' | 'suspension' = 'revocation') => statusEntry({ listUrl: LIST_URL, index, statusPurpose });

  it('reads set and unset bits', () => {
    expect(readStatus(entry(5), revocations)).toBe(true);
    expect(readStatus(entry(4), revocations)).toBe(false);
    expect(readStatus(entry(6), revocations)).toBe(false);
    expect(readStatus(entry(131_071), revocations)).toBe(false);
  });

  it('refuses a purpose mismatch', () => {
    expectCode(() => readStatus(entry(5, 'suspension'), revocations), 'STATUS_VERIFICATION_ERROR', /entry is for "suspension" but the status list is for "revocation"/);
  });

  it('accepts a list that carries several purposes', () => {
    expect(readStatus(entry(5, 'suspension'), { ...revocations, statusPurpose: ['revocation', 'suspension'] })).toBe(true);
  });

  it('refuses an index past the end of the list', () => {
    expectCode(() => readStatus({ ...entry(0), statusListIndex: '131072' }, revocations), 'RANGE_ERROR', /131072 is out of range 0..131071/);
    expectCode(() => readStatus({ ...entry(0), statusListIndex: '99999999999999999999' }, revocations), 'RANGE_ERROR');
  });

  it.each([['01'], ['-1'], ['1e3'], [' 5'], ['5.0'], [''], [5], [null]])('refuses statusListIndex %j', (statusListIndex) => {
    expectCode(() => readStatus({ ...entry(0), statusListIndex }, revocations), 'MALFORMED_VALUE_ERROR', /statusListIndex must be a base-10 integer string/);
  });

  it('refuses a list shorter than 131,072 entries unless told otherwise', () => {
    const short = { ...revocations, encodedList: new Bitstring(8192).encode() };
    expectCode(() => readStatus(entry(0), short), 'STATUS_LIST_LENGTH_ERROR', /8192 entries/);
    expect(readStatus(entry(0), short, { minEntries: 8192 })).toBe(false);
  });

  it('refuses documents of the wrong type', () => {
    expectCode(() => readStatus({ ...entry(0), type: 'StatusList2021Entry' }, revocations), 'MALFORMED_VALUE_ERROR', /BitstringStatusListEntry/);
    expectCode(() => readStatus(entry(0), { ...revocations, type: 'StatusList2021' }), 'MALFORMED_VALUE_ERROR', /"BitstringStatusList"/);
    expectCode(() => readStatus(null, revocations), 'MALFORMED_VALUE_ERROR');
    expectCode(() => readStatus(entry(0), 'list'), 'MALFORMED_VALUE_ERROR');
    expectCode(() => readStatus({ ...entry(0), statusSize: 2 }, revocations), 'MALFORMED_VALUE_ERROR', /statusSize 1/);
    expectCode(() => readStatus(entry(0), { ...revocations, encodedList: undefined }), 'MALFORMED_VALUE_ERROR', /encodedList/);
    expectCode(() => readStatus(entry(0), { ...revocations, encodedList: SPEC_EXAMPLE_EMPTY_LIST.slice(1) }), 'MALFORMED_VALUE_ERROR', /prefix "u"/);
  });
});

describe('cross-check with @digitalbazaar/vc-bitstring-status-list', () => {
  const cases: [string, number[]][] = [
    ['edge indices', [0, 1, 7, 8, 131_071]],
    ['all edge indices', EDGE_INDICES],
    ['1,000 random indices', randomIndices(42, 1000)],
    ['50,000 random indices', randomIndices(7, 50_000)],
  ];

  it.each(cases)('lists we encode decode with theirs to the same statuses (%s)', async (_name, set) => {
    const ours = new Bitstring();
    for (const index of set) ours.set(index, true);
    // Our encodedList goes to them as is: their decodeList wants the "u" prefix too.
    const list = await theirs.decodeList({ encodedList: ours.encode() });
    expect(list.length).toBe(STATUS_LIST_LENGTH);
    for (const index of probes(set)) expect(list.getStatus(index), `index ${index}`).toBe(ours.get(index));
    // And every bit, byte for byte, via their encoder.
    expect(decodeList(await list.encode())).toEqual(ours.bytes);
  });

  it.each(cases)('lists they encode decode with ours to the same statuses (%s)', async (_name, set) => {
    const list = await theirs.createList({ length: STATUS_LIST_LENGTH });
    for (const index of set) list.setStatus(index, true);
    const encodedList = await list.encode();
    expect(encodedList.startsWith('u')).toBe(true);
    const ours = Bitstring.decode(encodedList);
    expect(ours.length).toBe(STATUS_LIST_LENGTH);
    for (const index of probes(set)) expect(ours.get(index), `index ${index}`).toBe(list.getStatus(index));
    const subject = { type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList };
    for (const index of [...EDGE_INDICES, ...set.slice(0, 200)]) {
      expect(readStatus(statusEntry({ listUrl: LIST_URL, index, statusPurpose: 'revocation' }), subject)).toBe(list.getStatus(index));
    }
  });

  it('sees the same bit positions in raw bytes (index 0 = 0x80 of byte 0)', async () => {
    const list = new theirs.BitstringStatusList({ buffer: Uint8Array.of(0x80, 0x01, 0x80, 0x00) });
    expect([0, 1, 7, 8, 15, 16, 31].map((index) => list.getStatus(index))).toEqual([true, false, false, false, true, true, false]);
    const ours = Bitstring.fromBytes(Uint8Array.of(0x80, 0x01, 0x80, 0x00));
    expect([0, 1, 7, 8, 15, 16, 31].map((index) => ours.get(index))).toEqual([true, false, false, false, true, true, false]);
  });

  it('gives the same answers when they check a credential against our status list credential', async () => {
    const bitsRevoked = new Bitstring();
    bitsRevoked.set(1234, true);
    const listCredential = statusListCredential({
      id: LIST_URL,
      issuer: ISSUER,
      statusPurpose: 'revocation',
      encodedList: bitsRevoked.encode(),
      validFrom: new Date(),
    });
    const documentLoader = async (url: string) => {
      if (url !== LIST_URL) throw new Error(`unexpected fetch of ${url}`);
      return { document: listCredential };
    };
    for (const [index, revoked] of [
      [1234, true],
      [1233, false],
      [1235, false],
    ] as const) {
      const entry = statusEntry({ listUrl: LIST_URL, index, statusPurpose: 'revocation' });
      const credential = {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        issuer: ISSUER,
        credentialSubject: { id: 'did:example:learner' },
        credentialStatus: entry,
      };
      // Signatures are the sealing layer's business; here only the list is compared.
      const result = await theirs.checkStatus({ credential, documentLoader, verifyBitstringStatusListCredential: false, verifyMatchingIssuers: true });
      expect(result.error).toBeUndefined();
      expect(result.verified).toBe(true);
      expect(result.results?.[0]?.status).toBe(revoked);
      expect(readStatus(entry, listCredential.credentialSubject)).toBe(revoked);
    }
  });
});
