import { createHash, createPublicKey, verify as nodeVerify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exportJWK, FlattenedSign, generateKeyPair, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { signJades, verifyJades, type JadesCredential, type JadesVerificationKey } from '../../subgraphs/issuance/jades.js';

/*
 * The JAdES JSON form: the official EDC sample (European Commission, European
 * Learning Model repository, EUPL 1.2), read from ../shared/credentials as
 * every CI run has it, verifies with its embedded certificate, and our own
 * seals round-trip.
 */

const fixture = (name: string): string => fileURLToPath(new URL(`../../../shared/credentials/${name}`, import.meta.url));
const SAMPLE_TEXT = readFileSync(fixture('edc-sample-microcredential-annex1-signed-jades.json'), 'utf8');

interface SampleDocument {
  payload: string;
  signatures: { protected: string; header: Record<string, unknown>; signature: string }[];
}

function sample(): SampleDocument {
  return JSON.parse(SAMPLE_TEXT) as SampleDocument;
}

function sampleHeader(document: SampleDocument): Record<string, unknown> {
  return JSON.parse(Buffer.from(document.signatures[0]!.protected, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The sample with its protected header changed (the signature then covers nothing it says). */
function withHeader(change: (header: Record<string, unknown>) => void): SampleDocument {
  const document = sample();
  const header = sampleHeader(document);
  change(header);
  document.signatures[0]!.protected = Buffer.from(JSON.stringify(header)).toString('base64url');
  return document;
}

/** A key set that knows nothing: EDC seals never need it. */
const noKeys = async (): Promise<null> => null;

const SIGNED_AT = new Date('2023-09-27T11:54:17Z');
const CERT_EXPIRY = new Date('2025-05-10T14:31:15Z');

describe('the official EDC JAdES sample', () => {
  it('has the shape we mirror', () => {
    const document = sample();
    const header = sampleHeader(document);
    expect(typeof document.payload).toBe('string');
    expect(document.payload.startsWith('{"id":"urn:credential:')).toBe(true);
    expect(document.signatures).toHaveLength(1);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'jose+json', cty: 'octet-stream', b64: false, sigT: '2023-09-27T11:54:17Z', crit: ['b64', 'sigT', 'adoTst'] });
    expect(Object.keys(document.signatures[0]!.header)).toEqual(['etsiU']);
  });

  it('verifies cryptographically with its embedded certificate', async () => {
    const result = await verifyJades(sample(), { keyFor: noKeys });
    expect(result.reason).toBeUndefined();
    expect(result.signatureValid).toBe(true);
    expect(result.keySource).toBe('x5c');
    expect(result.signingTime).toEqual(SIGNED_AT);
    expect(result.header).toMatchObject({ alg: 'RS256', typ: 'jose+json' });
    expect(result.payload).toMatchObject({ id: 'urn:credential:1018d05f-21d5-4555-b7f0-8fabfd22ca75', type: ['VerifiableCredential', 'EuropeanDigitalCredential'] });
    expect(result.certificate).toMatchObject({
      notBefore: new Date('2023-05-11T14:31:15Z'),
      notAfter: CERT_EXPIRY,
      validAtSigningTime: true,
      verificationTime: SIGNED_AT,
      validAtVerificationTime: true,
    });
    expect(result.certificate?.subject).toContain('CN=TEST SEAL');
    expect(result.certificate?.subject).toContain('O=ORGANIZACION TEST');
    expect(result.certificate?.issuer).toContain('CN=ANF AC Qualified Certificates for eSeal');
    expect(result.certificate?.note).toBeUndefined();
  });

  it('accepts the JSON text as well as the parsed object', async () => {
    const result = await verifyJades(SAMPLE_TEXT, { keyFor: noKeys });
    expect(result.signatureValid).toBe(true);
  });

  it('reports the expired certificate at a later verification time apart from the signature', async () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const result = await verifyJades(sample(), { keyFor: noKeys, at });
    expect(result.signatureValid).toBe(true);
    expect(result.certificate).toMatchObject({ validAtSigningTime: true, validAtVerificationTime: false, verificationTime: at });
    expect(result.certificate?.note).toMatch(/expired/);
  });

  it('fails when one character of the payload changes', async () => {
    const document = sample();
    const index = document.payload.indexOf('1018d05f');
    expect(index).toBeGreaterThan(0);
    document.payload = `${document.payload.slice(0, index)}2${document.payload.slice(index + 1)}`;
    const result = await verifyJades(document, { keyFor: noKeys });
    expect(result.signatureValid).toBe(false);
    expect(result.reason).toMatch(/signature does not match/);
    expect(result.payload).toBeUndefined();
    expect(result.keySource).toBe('x5c');
  });

  it.each(['none', 'HS256'])('fails when alg is changed to %s', async (alg) => {
    const result = await verifyJades(withHeader((header) => (header.alg = alg)), { keyFor: noKeys });
    expect(result.signatureValid).toBe(false);
    expect(result.reason).toBe(`its signing algorithm "${alg}" is not accepted (only RS256, PS256, ES256, EdDSA)`);
  });

  it('fails when alg is changed to another accepted algorithm (the signature covers the header)', async () => {
    const result = await verifyJades(withHeader((header) => (header.alg = 'PS256')), { keyFor: noKeys });
    expect(result.signatureValid).toBe(false);
    expect(result.reason).toMatch(/signature does not match/);
  });

  it('fails when the thumbprint does not name the embedded certificate', async () => {
    const result = await verifyJades(withHeader((header) => (header['x5t#S256'] = createHash('sha256').update('other').digest('base64url'))), {
      keyFor: noKeys,
    });
    expect(result.signatureValid).toBe(false);
    expect(result.reason).toMatch(/x5t#S256/);
  });

  it('fails on a critical header parameter it does not understand', async () => {
    const result = await verifyJades(
      withHeader((header) => {
        header.sigD = { mId: 'http://uri.etsi.org/19182/HttpHeaders', pars: [] };
        header.crit = ['b64', 'sigT', 'adoTst', 'sigD'];
      }),
      { keyFor: noKeys },
    );
    expect(result.signatureValid).toBe(false);
    expect(result.reason).toMatch(/does not understand/);
  });
});

describe('malformed input never throws', () => {
  const cases: [string, unknown, RegExp][] = [
    ['null', null, /not a JWS JSON document/],
    ['a number', 42, /not a JWS JSON document/],
    ['a string that is not JSON', 'eyJhbGciOi.x.y', /not JSON/],
    ['no signatures', { payload: '{}', signatures: [] }, /no signature/],
    ['a signature that is not an object', { payload: '{}', signatures: ['x'] }, /not an object/],
    ['no payload', { signatures: [{ protected: 'e30', signature: 'x' }] }, /no payload/],
    ['a protected header that is not JSON', { payload: '{}', signatures: [{ protected: '!!!', signature: 'x' }] }, /protected header/],
    ['two signatures', { payload: '{}', signatures: [{ protected: 'e30', signature: 'x' }, { protected: 'e30', signature: 'y' }] }, /2 signatures/],
  ];
  it.each(cases)('%s', async (_name, document, reason) => {
    const result = await verifyJades(document, { keyFor: noKeys });
    expect(result.signatureValid).toBe(false);
    expect(result.reason).toMatch(reason);
  });

  it('a seal without a signing time', async () => {
    const result = await verifyJades(withHeader((header) => delete header.sigT), { keyFor: noKeys });
    expect(result).toMatchObject({ signatureValid: false, reason: expect.stringMatching(/no signing time/) });
  });

  it('an impossible signing time', async () => {
    const result = await verifyJades(withHeader((header) => (header.sigT = '2023-02-30T11:54:17Z')), { keyFor: noKeys });
    expect(result).toMatchObject({ signatureValid: false, reason: expect.stringMatching(/not a UTC time/) });
  });

  it('a certificate that is not base64', async () => {
    const result = await verifyJades(withHeader((header) => (header.x5c = ['not a certificate!'])), { keyFor: noKeys });
    expect(result).toMatchObject({ signatureValid: false, keySource: 'x5c', reason: expect.stringMatching(/x5c/) });
  });

  it('a payload that is not a credential', async () => {
    const document = sample();
    document.payload = '[1, 2, 3]';
    const result = await verifyJades(document, { keyFor: noKeys });
    expect(result).toMatchObject({ signatureValid: false, reason: expect.stringMatching(/not a JSON object/) });
  });

  it('a key lookup that throws', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const sealed = await signJades({ id: 'urn:x' }, { privateKey, alg: 'ES256', kid: 'k' }, SIGNED_AT);
    const result = await verifyJades(sealed, {
      keyFor: () => Promise.reject(new Error('key store offline')),
    });
    expect(result).toMatchObject({ signatureValid: false, reason: expect.stringMatching(/key store offline/) });
  });
});

const credential = {
  '@context': ['https://www.w3.org/ns/credentials/v2', 'http://data.europa.eu/snb/model/context/edc-ap'],
  id: 'urn:uuid:8a0d6d55-4a3f-4a53-9a1c-6f5a4c0b7d11',
  type: ['VerifiableCredential', 'EuropeanDigitalCredential'],
  issuer: { id: 'https://eciu.eu/issuer', type: 'Organisation', legalName: { en: 'ECIU — Université' } },
  validFrom: '2025-06-30T00:00:00Z',
  credentialSubject: { id: 'urn:learner:1', type: 'Person', note: 'dots . and "quotes" survive' },
};

describe.each([
  ['ES256', 'ES256' as const],
  ['EdDSA (Ed25519)', 'EdDSA' as const],
])('our own seal with %s', (_name, alg) => {
  const kid = `alliance-${alg}`;
  let privateKey: CryptoKey;
  let publicKey: CryptoKey;
  let otherPublicKey: CryptoKey;
  let sealed: JadesCredential;
  const keyFor = (keys: Record<string, JadesVerificationKey>) => async (header: Record<string, unknown>) =>
    typeof header.kid === 'string' ? (keys[header.kid] ?? null) : null;

  beforeAll(async () => {
    ({ privateKey, publicKey } = await generateKeyPair(alg));
    ({ publicKey: otherPublicKey } = await generateKeyPair(alg));
    sealed = await signJades(credential, { privateKey, alg, kid }, new Date('2025-07-01T09:30:15.123Z'));
  });

  it('has the EDC shape with the payload as the exact JSON text', () => {
    expect(Object.keys(sealed)).toEqual(['payload', 'signatures']);
    expect(sealed.payload).toBe(JSON.stringify(credential));
    expect(JSON.parse(sealed.payload)).toEqual(credential);
    // Not base64url: the raw text, braces and all.
    expect(sealed.payload.startsWith('{"@context":')).toBe(true);
    expect(sealed.signatures).toHaveLength(1);
    const header = JSON.parse(Buffer.from(sealed.signatures[0]!.protected, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).toEqual({ alg, typ: 'jose+json', cty: 'vc', kid, b64: false, sigT: '2025-07-01T09:30:15Z', crit: ['b64', 'sigT'] });
    expect(header.x5c).toBeUndefined();
    // Survives a trip through JSON text, as it would in a file or an HTTP body.
    expect(JSON.parse(JSON.stringify(sealed))).toEqual(sealed);
  });

  it('verifies with our key, by kid', async () => {
    const result = await verifyJades(JSON.parse(JSON.stringify(sealed)), { keyFor: keyFor({ [kid]: publicKey }) });
    expect(result.reason).toBeUndefined();
    expect(result).toMatchObject({ signatureValid: true, keySource: 'kid', payload: credential, signingTime: new Date('2025-07-01T09:30:15Z') });
    expect(result.certificate).toBeUndefined();
  });

  it('fails when the payload is tampered with', async () => {
    const tampered = { ...sealed, payload: sealed.payload.replace('urn:learner:1', 'urn:learner:2') };
    expect(tampered.payload).not.toBe(sealed.payload);
    const result = await verifyJades(tampered, { keyFor: keyFor({ [kid]: publicKey }) });
    expect(result.signatureValid).toBe(false);
    expect(result.reason).toMatch(/signature does not match/);
  });

  it('fails with a wrong key', async () => {
    const result = await verifyJades(sealed, { keyFor: keyFor({ [kid]: otherPublicKey }) });
    expect(result.signatureValid).toBe(false);
    expect(result.reason).toMatch(/signature does not match/);
  });

  it('fails when the kid is not in our key set', async () => {
    const result = await verifyJades(sealed, { keyFor: keyFor({}) });
    expect(result).toMatchObject({ signatureValid: false, keySource: 'kid', reason: `its key "${kid}" is not in our key set` });
  });
});

describe('keys and types', () => {
  it('an independent check (node:crypto, not jose): the signing input is the protected header, ".", and the raw JSON text', async () => {
    // RFC 7797: with b64:false the payload enters the signing input unencoded.
    const document = sample();
    const entry = document.signatures[0]!;
    const certificate = new X509Certificate(Buffer.from((sampleHeader(document).x5c as string[])[0]!, 'base64'));
    const input = Buffer.from(`${entry.protected}.${document.payload}`, 'utf8');
    expect(nodeVerify('sha256', input, certificate.publicKey, Buffer.from(entry.signature, 'base64url'))).toBe(true);

    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const sealed = await signJades(credential, { privateKey, alg: 'ES256', kid: 'k' }, SIGNED_AT);
    const ours = sealed.signatures[0]!;
    const key = createPublicKey({ key: await exportJWK(publicKey), format: 'jwk' });
    const ourInput = Buffer.from(`${ours.protected}.${sealed.payload}`, 'utf8');
    expect(nodeVerify('sha256', ourInput, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(ours.signature, 'base64url'))).toBe(true);
  });

  it('also reads the flattened serialization with an encoded payload', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA');
    const flattened = await new FlattenedSign(new TextEncoder().encode(JSON.stringify(credential)))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'jose+json', kid: 'k', sigT: '2025-07-01T09:30:15Z', crit: ['sigT'] })
      .sign(privateKey, { crit: { sigT: true } });
    const result = await verifyJades(flattened, { keyFor: async () => publicKey });
    expect(result).toMatchObject({ signatureValid: true, keySource: 'kid', payload: credential });
  });

  it('refuses one of our seals whose header does not say jose+json', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const sealed = await signJades(credential, { privateKey, alg: 'ES256', kid: 'k' }, SIGNED_AT);
    const header = JSON.parse(Buffer.from(sealed.signatures[0]!.protected, 'base64url').toString('utf8')) as Record<string, unknown>;
    header.typ = 'vc+jwt';
    const retyped = { ...sealed, signatures: [{ ...sealed.signatures[0]!, protected: Buffer.from(JSON.stringify(header)).toString('base64url') }] };
    const result = await verifyJades(retyped, { keyFor: async () => publicKey });
    expect(result).toMatchObject({ signatureValid: false, reason: 'its type is "vc+jwt", not "jose+json"' });
  });

  it('refuses a signing time that is not a date', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    await expect(signJades(credential, { privateKey, alg: 'ES256', kid: 'k' }, new Date('nope'))).rejects.toThrow(/signing time/);
  });
});
