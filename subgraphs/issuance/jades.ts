import { createHash, X509Certificate } from 'node:crypto';
import { flattenedVerify, GeneralSign, importX509, type CryptoKey, type FlattenedJWSInput, type KeyObject } from 'jose';

/*
 * The EDC-style JAdES form of a credential (ETSI TS 119 182-1, as the
 * European Digital Credentials service seals them), next to the compact
 * vc+jwt form in seal.ts.
 *
 * What the official EDC sample (test/issuance/fixtures/edc-sample-...-jades.json)
 * looks like, and so what we mirror:
 *   - JWS JSON *general* serialization: `{ payload, signatures: [ { protected, header, signature } ] }`
 *     with exactly one signature;
 *   - the payload is *unencoded* (RFC 7797): `b64: false`, and `payload` is the
 *     credential's JSON text itself, not base64url;
 *   - protected header: `alg: RS256`, `typ: "jose+json"` (the media type of the
 *     JWS JSON serialization, RFC 7515 §9.2), `cty: "octet-stream"`, `kid` (base64
 *     of the DER IssuerSerial of the seal certificate, an ETSI convention),
 *     `x5t#S256`, `x5c` (the QTSP-issued e-seal certificate), `sigT` (signing time,
 *     `YYYY-MM-DDThh:mm:ssZ`, whole seconds, UTC), `adoTst` (a timestamp token)
 *     and `crit: ["b64", "sigT", "adoTst"]`;
 *   - unprotected header `etsiU`: base64url-encoded validation material added after
 *     sealing (signature timestamp, certificates, CRL/OCSP answers, archive timestamp).
 */

/** The `typ` of a JWS in JSON serialization (RFC 7515 §9.2), as the EDC sample uses. */
export const JADES_TYPE = 'jose+json';

/**
 * Algorithms a JAdES seal may use here: RSA (what EDC/QTSP certificates carry),
 * EC P-256 and Ed25519. Never `none` or HS*: a symmetric "signature" checked with
 * a public key is the classic algorithm-confusion attack.
 */
export const JADES_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type JadesAlgorithm = (typeof JADES_ALGORITHMS)[number];

/** One signature of a JWS in general JSON serialization. */
export interface JadesSignature {
  /** The base64url-encoded protected header. */
  protected: string;
  /** The unprotected header (EDC's `etsiU`); not covered by the signature. */
  header?: Record<string, unknown>;
  signature: string;
}

/** A sealed credential in JAdES JSON form: general serialization, unencoded payload. */
export interface JadesCredential {
  /** The credential's JSON text, exactly the bytes that were signed (b64: false). */
  payload: string;
  signatures: JadesSignature[];
}

/** A key that can check a signature: a Web Crypto key or a Node KeyObject. */
export type JadesVerificationKey = CryptoKey | KeyObject;

export interface JadesCertificate {
  /** The seal certificate's subject, one line (`C=ES, serialNumber=..., CN=...`). */
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** Whether `sigT` lies within the certificate's validity period. */
  validAtSigningTime: boolean;
  /** The time the certificate was checked at: `options.at`, else the signing time. */
  verificationTime: Date;
  /** Whether the certificate is within its validity period at `verificationTime`. */
  validAtVerificationTime: boolean;
  /** Plain words when the certificate is not valid at one of those times. */
  note?: string;
}

export interface JadesResult {
  /**
   * Cryptographic validity only: the signature matches the header and payload
   * under the key named. It says nothing about whether that key's holder is
   * trusted (issuer register, EU trusted lists) nor about certificate expiry;
   * those are reported separately (`keySource`, `certificate`).
   */
  signatureValid: boolean;
  /** Why `signatureValid` is false, in plain words. */
  reason?: string;
  /** The sealed credential (only when the signature is valid). */
  payload?: object;
  /** The protected header (what the signature covers); `{}` when unreadable. */
  header: object;
  /** `sigT`, when it is readable. */
  signingTime?: Date;
  /** The embedded seal certificate's fields (keySource `x5c`). */
  certificate?: JadesCertificate;
  /** `x5c`: the key came from the certificate the document carries; `kid`: from our key set. */
  keySource: 'x5c' | 'kid';
}

export interface JadesSigningKey {
  privateKey: CryptoKey | KeyObject;
  alg: 'ES256' | 'EdDSA';
  kid: string;
}

const encoder = new TextEncoder();

/** JAdES `sigT`: UTC, whole seconds, `Z` (the sample: "2023-09-27T11:54:17Z"). */
function formatSigningTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Seals a credential in the EDC-style JAdES JSON form.
 *
 * We have no X.509 certificate for the alliance's key: a qualified e-seal needs a
 * certificate from a QTSP, which cannot be obtained offline. So instead of `x5c`
 * (and the ETSI IssuerSerial `kid`) the header's `kid` names the key in the
 * alliance's published JWKS, as in the vc+jwt form; verifiers resolve it there.
 * The shape otherwise follows the EDC sample: general serialization, b64:false,
 * `sigT` in `crit`, `typ: jose+json`. `cty` is `vc` (the VC-JOSE-COSE content type
 * of a credential) rather than the sample's `octet-stream`, which says nothing
 * about the content. No `adoTst`/`etsiU`: those need a timestamp authority.
 */
export async function signJades(credential: object, key: JadesSigningKey, signingTime: Date): Promise<JadesCredential> {
  if (Number.isNaN(signingTime.getTime())) throw new TypeError('signJades: the signing time is not a valid date');
  const json = JSON.stringify(credential);
  const signed = await new GeneralSign(encoder.encode(json))
    .addSignature(key.privateKey, { crit: { sigT: true } })
    .setProtectedHeader({
      alg: key.alg,
      typ: JADES_TYPE,
      cty: 'vc',
      kid: key.kid,
      b64: false,
      sigT: formatSigningTime(signingTime),
      crit: ['b64', 'sigT'],
    })
    .sign();
  const signature = signed.signatures[0];
  if (!signature?.protected) throw new Error('signJades: jose returned no protected header');
  // jose leaves `payload` empty for an unencoded payload (it is "detached" in the
  // compact form); in JSON serialization the payload travels as the raw JSON text.
  return { payload: json, signatures: [{ protected: signature.protected, signature: signature.signature }] };
}

type Header = Record<string, unknown>;

interface Parsed {
  flattened: FlattenedJWSInput;
  header: Header;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the single signature of a general or flattened JWS JSON document, unverified. */
function parseDocument(document: unknown): Parsed | string {
  let input = document;
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input) as unknown;
    } catch {
      return 'it is not JSON';
    }
  }
  if (!isRecord(input)) return 'it is not a JWS JSON document (expected an object with "payload" and "signatures")';
  let entry: Record<string, unknown>;
  if ('signatures' in input) {
    const signatures = input.signatures;
    if (!Array.isArray(signatures) || signatures.length === 0) return 'it carries no signature';
    // EDC seals carry exactly one; with several we could not say whose seal this
    // result describes, so refuse rather than pick one.
    if (signatures.length > 1) return `it carries ${signatures.length} signatures; only a single seal is supported`;
    if (!isRecord(signatures[0])) return 'its signature entry is not an object';
    entry = signatures[0];
  } else {
    entry = input;
  }
  if (typeof input.payload !== 'string') return 'it has no payload';
  if (typeof entry.protected !== 'string' || entry.protected === '') return 'its signature has no protected header';
  if (typeof entry.signature !== 'string') return 'its signature value is missing';
  if (entry.header !== undefined && !isRecord(entry.header)) return 'its unprotected header is not an object';
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(entry.protected, 'base64url').toString('utf8')) as unknown;
  } catch {
    return 'its protected header is not base64url-encoded JSON';
  }
  if (!isRecord(header)) return 'its protected header is not a JSON object';
  const flattened: FlattenedJWSInput = { payload: input.payload, protected: entry.protected, signature: entry.signature };
  if (entry.header !== undefined) flattened.header = entry.header as FlattenedJWSInput['header'];
  return { flattened, header };
}

/** The credential a document claims to carry, before any signature check. */
function readPayload(payload: string, b64: boolean): object | string {
  let text = payload;
  if (b64) {
    if (!/^[A-Za-z0-9_-]*$/.test(payload)) return 'its payload is not base64url, although the header says it is encoded';
    text = Buffer.from(payload, 'base64url').toString('utf8');
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (isRecord(parsed)) return parsed;
  } catch {
    // Falls through to the plain-words answer.
  }
  return 'its payload is not a JSON object (a credential)';
}

const SIGNING_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function readSigningTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !SIGNING_TIME.test(value)) return undefined;
  const time = new Date(value);
  // Date rolls impossible days over (Feb 30 -> Mar 2); a round trip catches that.
  if (Number.isNaN(time.getTime()) || time.toISOString().slice(0, 19) !== value.slice(0, 19)) return undefined;
  return time;
}

/** RFC 7515 §4.1.9: "application/" may be left off a typ; media types are case-insensitive. */
function isJadesType(typ: unknown): boolean {
  return typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === JADES_TYPE;
}

function oneLine(distinguishedName: string): string {
  return distinguishedName.split('\n').join(', ');
}

function describeValidity(notBefore: Date, notAfter: Date, at: Date, label: string): string | undefined {
  if (at < notBefore) return `the seal certificate was not yet valid at ${label} (${at.toISOString()}; valid from ${notBefore.toISOString()})`;
  if (at > notAfter) return `the seal certificate had expired at ${label} (${at.toISOString()}; expired ${notAfter.toISOString()})`;
  return undefined;
}

function readCertificate(der: Buffer, signingTime: Date, verificationTime: Date): JadesCertificate {
  const x509 = new X509Certificate(der);
  // Node 20 has no validFromDate/validToDate; its validFrom text ("May 11 14:31:15 2023 GMT") parses as a Date.
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) throw new Error('unreadable validity period');
  const atSigning = describeValidity(notBefore, notAfter, signingTime, 'the signing time');
  const atVerification = describeValidity(notBefore, notAfter, verificationTime, 'the verification time');
  // When no separate verification time was asked for, the two checks are the same one: say it once.
  const sameTime = verificationTime.getTime() === signingTime.getTime();
  const notes = [atSigning, sameTime ? undefined : atVerification].filter((note): note is string => !!note);
  const fields: JadesCertificate = {
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    notBefore,
    notAfter,
    validAtSigningTime: atSigning === undefined,
    verificationTime,
    validAtVerificationTime: atVerification === undefined,
  };
  if (notes.length > 0) fields.note = notes.join('; ');
  return fields;
}

/** jose's errors, in plain words for the verification report. */
function explain(error: unknown): string {
  const code = isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
    return 'the signature does not match: the credential or its header was changed after sealing, or it was sealed with another key';
  }
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'its signing algorithm is not accepted';
  if (/Extension Header Parameter/i.test(message)) return `it requires a header parameter this verifier does not understand (${message})`;
  if (code === 'ERR_JWS_INVALID' || code === 'ERR_JOSE_NOT_SUPPORTED') return `it is not a well-formed seal (${message})`;
  // Some rejections are plain TypeErrors (e.g. a key that does not suit the algorithm).
  return `the signature could not be checked (${message})`;
}

export interface VerifyJadesOptions {
  /**
   * The key for a document that names one of our keys by `kid` (and carries no
   * certificate). Only our own key set may answer: never a key or URL the
   * document itself supplies (RFC 8725). Return null when the kid is unknown.
   */
  keyFor: (header: Header) => Promise<JadesVerificationKey | null | undefined>;
  /** When to check the certificate's validity; defaults to the signing time (`sigT`). */
  at?: Date;
}

/**
 * Verifies a JAdES JSON seal: ours (key by `kid` from our key set) or a foreign
 * EDC one (key from the embedded certificate `x5c[0]`). Never throws: anything
 * malformed is `signatureValid: false` with the reason.
 *
 * With `keySource: 'x5c'`, a valid signature only proves the holder of that
 * certificate's key sealed it. Whether that holder is trusted (EU trusted lists,
 * the alliance's issuer register) is the caller's decision, made on
 * `certificate.subject`/`issuer`; we do not validate the chain (`x5c[1..]`),
 * revocation (`etsiU` rVals) or the timestamp tokens (`adoTst`, `etsiU`): they
 * need the trust anchors and a TSA validation this hub does not have.
 */
export async function verifyJades(document: unknown, options: VerifyJadesOptions): Promise<JadesResult> {
  try {
    return await verifyParsed(document, options);
  } catch (error) {
    // Belt and braces: every expected failure is answered above; this keeps the "never throws" promise.
    return { signatureValid: false, reason: `the seal could not be checked (${error instanceof Error ? error.message : String(error)})`, header: {}, keySource: 'kid' };
  }
}

async function verifyParsed(document: unknown, options: VerifyJadesOptions): Promise<JadesResult> {
  const parsed = parseDocument(document);
  if (typeof parsed === 'string') return { signatureValid: false, reason: parsed, header: {}, keySource: 'kid' };
  const { flattened, header } = parsed;
  const keySource: JadesResult['keySource'] = header.x5c !== undefined ? 'x5c' : 'kid';
  const fail = (reason: string, extra: Partial<JadesResult> = {}): JadesResult => ({ signatureValid: false, reason, header, keySource, ...extra });

  // Checked before jose so the reason is specific; jose enforces the same allowlist again.
  const alg = header.alg;
  if (typeof alg !== 'string') return fail('its header names no signing algorithm ("alg")');
  if (!(JADES_ALGORITHMS as readonly string[]).includes(alg)) {
    return fail(`its signing algorithm "${alg}" is not accepted (only ${JADES_ALGORITHMS.join(', ')})`);
  }
  // JAdES baseline signatures must carry their signing time.
  if (header.sigT === undefined) return fail('it has no signing time ("sigT"), which a JAdES seal must carry');
  const signingTime = readSigningTime(header.sigT);
  if (!signingTime) return fail(`its signing time "${String(header.sigT)}" is not a UTC time like 2023-09-27T11:54:17Z`);

  const b64 = header.b64 !== false;
  const payload = readPayload(flattened.payload as string, b64);
  if (typeof payload === 'string') return fail(payload, { signingTime });

  let key: JadesVerificationKey;
  let certificate: JadesCertificate | undefined;
  if (keySource === 'x5c') {
    if (header.typ !== undefined && !isJadesType(header.typ)) return fail(`its type is "${String(header.typ)}", not "${JADES_TYPE}"`, { signingTime });
    const chain = header.x5c;
    const first = Array.isArray(chain) ? (chain[0] as unknown) : undefined;
    if (typeof first !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(first)) {
      return fail('its certificate chain ("x5c") does not start with a base64 certificate', { signingTime });
    }
    const der = Buffer.from(first, 'base64');
    // x5t#S256 is signed; if present it must name the certificate the document carries.
    const thumbprint = header['x5t#S256'];
    if (thumbprint !== undefined && thumbprint !== createHash('sha256').update(der).digest('base64url')) {
      return fail('its certificate thumbprint ("x5t#S256") does not match the embedded certificate', { signingTime });
    }
    try {
      certificate = readCertificate(der, signingTime, options.at ?? signingTime);
    } catch {
      return fail('its embedded certificate ("x5c") cannot be read', { signingTime });
    }
    try {
      const pem = `-----BEGIN CERTIFICATE-----\n${first.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----`;
      key = await importX509(pem, alg);
    } catch (error) {
      return fail(`the embedded certificate's key does not suit the algorithm "${alg}" (${error instanceof Error ? error.message : String(error)})`, {
        signingTime,
        certificate,
      });
    }
  } else {
    // Our own documents always say jose+json: insisting on it keeps a differently
    // typed object signed with the same key (a vc+jwt, a status list) from passing as a JAdES seal.
    if (!isJadesType(header.typ)) return fail(`its type is "${String(header.typ)}", not "${JADES_TYPE}"`, { signingTime });
    if (typeof header.kid !== 'string' || header.kid === '') return fail('it names no key: neither a certificate ("x5c") nor a key id ("kid")', { signingTime });
    let found: JadesVerificationKey | null | undefined;
    try {
      found = await options.keyFor(header);
    } catch (error) {
      return fail(`its key "${header.kid}" could not be looked up (${error instanceof Error ? error.message : String(error)})`, { signingTime });
    }
    if (!found) return fail(`its key "${header.kid}" is not in our key set`, { signingTime });
    key = found;
  }

  try {
    // adoTst (a timestamp token in the protected header) is declared understood so
    // EDC seals pass jose's crit check; it does not take part in the signature check.
    await flattenedVerify(flattened, key, { algorithms: [...JADES_ALGORITHMS], crit: { sigT: true, adoTst: true } });
  } catch (error) {
    return fail(explain(error), certificate ? { signingTime, certificate } : { signingTime });
  }
  const result: JadesResult = { signatureValid: true, payload, header, signingTime, keySource };
  if (certificate) result.certificate = certificate;
  return result;
}
