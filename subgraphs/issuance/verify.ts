import type { CryptoKey } from 'jose';
import { STATUS_LIST_LENGTH } from '../../lib/status-list.js';
import { awardClaims, checkAuthority, type AuthoritySource, type AwardClaim } from './authority.js';
import { verifyJades } from './jades.js';
import type { IssuerIdentity } from './issue.js';
import type { IssuerKeyRing } from './keys.js';
import type { TrustRegister } from './register.js';
import type { createCredentialValidator, CredentialValidation } from './schemas.js';
import { checkSignature } from './seal.js';
import type { StatusLists, StatusPurpose } from './statuses.js';
import type { CompactCheck, VerifyPool } from './verify-pool.js';

/*
 * Verification, for anyone: every check a relying party needs, each with its
 * reason, so "not verified" always says why. Accepts the hub's vc+jwt and
 * EDC-style JAdES JSON, including credentials sealed elsewhere (which verify
 * cryptographically with their embedded certificate and are then reported as
 * not from a trusted issuer).
 */

export const CHECKS = ['signature', 'trustedIssuer', 'authority', 'revocation', 'suspension', 'validity', 'schema'] as const;
export type CheckName = (typeof CHECKS)[number];

export interface VerificationCheck {
  check: CheckName;
  passed: boolean;
  /** Why it failed, or what was found when it passed. */
  reason: string;
}

export interface VerificationResult {
  verified: boolean;
  format: 'vc+jwt' | 'jades';
  credentialId: string | null;
  issuer: string | null;
  checks: VerificationCheck[];
}

export interface VerificationDependencies {
  register: TrustRegister;
  keys: IssuerKeyRing;
  issuer: IssuerIdentity;
  statuses: StatusLists;
  validator: ReturnType<typeof createCredentialValidator>;
  /**
   * Worker threads that decode, check the signature and validate the schemas
   * of vc+jwt credentials; without it that runs inline. Its workers must hold
   * the same keys and schemas as `keys` and `validator`.
   */
  pool?: VerifyPool;
  /** Where the awarding members' accreditation authority is read (without it the authority check cannot pass for credit). */
  authority?: AuthoritySource;
  now?: () => Date;
}

/** The input was not a credential in any form this hub reads (HTTP 422 / BAD_USER_INPUT). */
export class NotACredential extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotACredential';
  }
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function issuerOf(credential: Record<string, unknown> | undefined): string | null {
  const issuer = credential?.['issuer'];
  if (typeof issuer === 'string') return issuer;
  if (issuer && typeof issuer === 'object' && typeof (issuer as { id?: unknown }).id === 'string') return (issuer as { id: string }).id;
  return null;
}

function dateOf(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

interface StatusEntry {
  id?: unknown;
  type?: unknown;
  statusPurpose?: unknown;
  statusListIndex?: unknown;
  statusListCredential?: unknown;
}

/**
 * The list and bit a status entry names: a W3C Bitstring Status List entry, or
 * the EBSI `CredentialStatus` form of it (the Europass form, edc.ts
 * toEuropassForm), whose id is `<status list URL>#<index>`.
 */
function statusPlace(entries: readonly StatusEntry[], purpose: StatusPurpose, prefix: string): { url: string; indexText: string } | null {
  const bitstring = entries.find((candidate) => candidate && candidate.type === 'BitstringStatusListEntry' && candidate.statusPurpose === purpose);
  if (bitstring) return { url: typeof bitstring.statusListCredential === 'string' ? bitstring.statusListCredential : '', indexText: typeof bitstring.statusListIndex === 'string' ? bitstring.statusListIndex : '' };
  for (const candidate of entries) {
    if (!candidate || candidate.type !== 'CredentialStatus' || typeof candidate.id !== 'string' || !candidate.id.startsWith(prefix)) continue;
    const hash = candidate.id.indexOf('#');
    if (hash > 0) return { url: candidate.id.slice(0, hash), indexText: candidate.id.slice(hash + 1) };
  }
  return null;
}

async function statusCheck(purpose: StatusPurpose, credential: Record<string, unknown>, deps: VerificationDependencies): Promise<VerificationCheck> {
  const raw = credential['credentialStatus'];
  const entries = (Array.isArray(raw) ? raw : raw ? [raw] : []) as StatusEntry[];
  const prefix = `${deps.issuer.statusBaseUrl}/${purpose}/`;
  const place = statusPlace(entries, purpose, prefix);
  const word = purpose === 'revocation' ? 'revoked' : 'suspended';
  if (!place) return { check: purpose, passed: true, reason: `the credential has no ${purpose} status list, so it cannot be ${word}` };
  const { url, indexText } = place;
  // Plain base-10 numbers only: Number() would read "" as 0 and accept "1e3".
  const digits = /^(0|[1-9]\d{0,8})$/;
  const listText = url.slice(prefix.length);
  const index = Number(indexText);
  const list = Number(listText);
  if (!url.startsWith(prefix) || !digits.test(listText) || !digits.test(indexText) || index >= STATUS_LIST_LENGTH) {
    return { check: purpose, passed: false, reason: `its ${purpose} status list (${url || 'none given'}) is not one this hub publishes, so it could not be checked` };
  }
  const set = await deps.statuses.isSet(purpose, list, index);
  if (set === null) return { check: purpose, passed: false, reason: `its ${purpose} status list (${url}) holds no credential this hub issued, so it could not be checked` };
  if (set) return { check: purpose, passed: false, reason: word };
  return { check: purpose, passed: true, reason: `not ${word}` };
}

function validityCheck(credential: Record<string, unknown>, now: Date): VerificationCheck {
  const from = dateOf(credential['validFrom']);
  const until = dateOf(credential['validUntil']);
  if (credential['validFrom'] !== undefined && !from) return { check: 'validity', passed: false, reason: 'its "validFrom" is not a date' };
  if (credential['validUntil'] !== undefined && !until) return { check: 'validity', passed: false, reason: 'its "validUntil" is not a date' };
  if (from && from.getTime() > now.getTime()) return { check: 'validity', passed: false, reason: `not valid before ${from.toISOString()}` };
  if (until && until.getTime() <= now.getTime()) return { check: 'validity', passed: false, reason: `expired on ${until.toISOString()}` };
  return { check: 'validity', passed: true, reason: until ? `valid until ${until.toISOString()}` : 'valid, without an expiry' };
}

function schemaCheck(credential: Record<string, unknown>, deps: VerificationDependencies, validated: CredentialValidation | null): VerificationCheck {
  const result = validated ?? deps.validator.validate(credential);
  if (result.valid) {
    return {
      check: 'schema',
      passed: true,
      reason: result.ebsiAsPublished
        ? 'valid against the W3C VC 2.0 schema and the EBSI EDC schema as published'
        : 'valid against the W3C VC 2.0 schema and the EBSI EDC schema, with credentialStatus checked as W3C Bitstring Status List entries (the EBSI schema admits only its own status types; the Europass form of the credential carries those)',
    };
  }
  // Where the schemas should be is the operator's business (the service logs it at start), not the public's.
  if (!result.checked) return { check: 'schema', passed: false, reason: 'not checked: this hub does not have the published JSON Schemas installed' };
  return { check: 'schema', passed: false, reason: result.errors.slice(0, 5).join('; ') };
}

function notCheckable(check: CheckName, why: string): VerificationCheck {
  return { check, passed: false, reason: why };
}

/** Verifies a credential given as a vc+jwt string, or as JAdES JSON (object or string). */
export async function verifyCredential(input: unknown, deps: VerificationDependencies): Promise<VerificationResult> {
  const now = (deps.now ?? (() => new Date()))();
  let document: unknown = input;
  if (typeof input === 'string') {
    const text = input.trim();
    if (COMPACT_JWS.test(text)) return verifyCompact(text, deps, now);
    if (text.startsWith('{')) {
      try {
        document = JSON.parse(text) as unknown;
      } catch {
        throw new NotACredential('it is neither a compact JWS (vc+jwt) nor valid JSON');
      }
    } else {
      throw new NotACredential('it is neither a compact JWS (vc+jwt) nor a JAdES JSON document');
    }
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw new NotACredential('it is neither a compact JWS (vc+jwt) nor a JAdES JSON document');
  const record = document as Record<string, unknown>;
  if (!('signatures' in record || 'signature' in record)) {
    throw new NotACredential('it is JSON without a signature: send the sealed credential (vc+jwt, or JAdES JSON with "signatures")');
  }
  return verifyJadesDocument(record, deps, now);
}

/**
 * The members of a credential that the checks after the seal read (identity,
 * issuer, validity, status entries, type). A verifying worker sends back only
 * these: copying a whole 20 KB credential between threads cost more than the
 * worker saved.
 */
export function checkedParts(credential: Record<string, unknown>): Record<string, unknown> {
  const parts: Record<string, unknown> = {};
  for (const name of ['id', 'type', 'validFrom', 'validUntil', 'issuanceDate', 'credentialStatus', 'iat'] as const) {
    if (name in credential) parts[name] = credential[name];
  }
  const issuer = issuerOf(credential);
  if (issuer !== null) parts['issuer'] = issuer;
  return parts;
}

/** A status list is sealed with the same key, but it is not a credential about anyone. */
function isStatusList(credential: Record<string, unknown>): boolean {
  const types = credential['type'];
  return Array.isArray(types) ? types.includes('BitstringStatusListCredential') : types === 'BitstringStatusListCredential';
}

/** A seal that does not hold: nothing else in the credential can be relied on, so nothing else is checked. */
function badSignature(format: VerificationResult['format'], reason: string, issuer: string | null): VerificationResult {
  const rest = CHECKS.filter((check) => check !== 'signature').map((check) => notCheckable(check, 'not checked: the signature is not valid, so nothing in the credential can be relied on'));
  return { verified: false, format, credentialId: null, issuer, checks: [{ check: 'signature', passed: false, reason }, ...rest] };
}

async function finish(
  format: VerificationResult['format'],
  credential: Record<string, unknown>,
  signature: VerificationCheck,
  trust: VerificationCheck,
  deps: VerificationDependencies,
  now: Date,
  validated: CredentialValidation | null = null,
  awards: readonly AwardClaim[] | null = null,
): Promise<VerificationResult> {
  // Sealed with the same key in either form, a status list is still not a credential about anyone.
  if (isStatusList(credential)) throw new NotACredential('it is a status list, not a credential about a learner');
  const authority = await checkAuthority(awards ?? awardClaims(credential), deps.authority);
  const checks = [signature, trust, { check: 'authority' as const, ...authority }, await statusCheck('revocation', credential, deps), await statusCheck('suspension', credential, deps), validityCheck(credential, now), schemaCheck(credential, deps, validated)];
  return {
    verified: checks.every((check) => check.passed),
    format,
    credentialId: typeof credential['id'] === 'string' ? credential['id'] : null,
    issuer: issuerOf(credential),
    checks,
  };
}

async function trustCheck(deps: VerificationDependencies, credential: Record<string, unknown>, kid: string | undefined, sealedAt?: Date): Promise<VerificationCheck> {
  const issuer = issuerOf(credential);
  const at = dateOf(credential['validFrom']) ?? dateOf(credential['issuanceDate']);
  if (!issuer) return notCheckable('trustedIssuer', 'it names no issuer');
  if (!kid) return notCheckable('trustedIssuer', 'its seal names no registered key');
  if (!at) return notCheckable('trustedIssuer', 'it says not when it was issued ("validFrom")');
  const decision = await deps.register.trustedAt(issuer, kid, at, sealedAt ?? at);
  return decision.trusted ? { check: 'trustedIssuer', passed: true, reason: `issued by ${decision.issuerName}, a trusted issuer at the time` } : { check: 'trustedIssuer', passed: false, reason: decision.reason };
}

/** The signature (and, from the pool, the schema) check; inline without a pool or when it fails. */
async function sealAndSchema(jwt: string, deps: VerificationDependencies): Promise<CompactCheck> {
  if (deps.pool) {
    try {
      return await deps.pool.check(jwt);
    } catch {
      // A worker that died, or a pool that is closing: the same checks, here.
    }
  }
  return { signature: await checkSignature(jwt, (kid) => deps.keys.publicKey(kid)), schema: null, awards: null };
}

async function verifyCompact(jwt: string, deps: VerificationDependencies, now: Date): Promise<VerificationResult> {
  const { signature, schema, awards } = await sealAndSchema(jwt, deps);
  if (!signature.valid) {
    return badSignature('vc+jwt', signature.reason, issuerOf(signature.credential));
  }
  const kid = signature.header.kid;
  const sealed: VerificationCheck = { check: 'signature', passed: true, reason: `sealed with the alliance's key ${kid}` };
  // A copy sealed after issuance (bound to a wallet's key) says when in `iat`: the key must have been in use then.
  const iat = signature.credential['iat'];
  const sealedAt = typeof iat === 'number' && Number.isFinite(iat) ? new Date(iat * 1000) : undefined;
  return finish('vc+jwt', signature.credential, sealed, await trustCheck(deps, signature.credential, kid, sealedAt), deps, now, schema, awards);
}

async function verifyJadesDocument(document: Record<string, unknown>, deps: VerificationDependencies, now: Date): Promise<VerificationResult> {
  const result = await verifyJades(document, {
    keyFor: async (header: { kid?: unknown }) => (typeof header.kid === 'string' ? ((await deps.keys.publicKey(header.kid)) ?? null) : null) as CryptoKey | null,
  });
  const payload = result.payload as Record<string, unknown> | undefined;
  if (!result.signatureValid || !payload) {
    return badSignature('jades', result.reason ?? 'the signature does not match the credential', null);
  }
  if (result.keySource === 'x5c') {
    const certificate = result.certificate;
    const signature: VerificationCheck = {
      check: 'signature',
      passed: true,
      reason: `sealed with the certificate of ${certificate?.subject ?? 'an unnamed holder'}${certificate && !certificate.validAtSigningTime ? ' (not valid at the signing time)' : ''}`,
    };
    const trust: VerificationCheck = {
      check: 'trustedIssuer',
      passed: false,
      reason: `sealed by ${certificate?.subject ?? 'a certificate'} (issued by ${certificate?.issuer ?? 'unknown'}), which is not in the alliance's register of trusted issuers`,
    };
    return finish('jades', payload, signature, trust, deps, now);
  }
  const kid = typeof (result.header as { kid?: unknown }).kid === 'string' ? ((result.header as { kid: string }).kid) : undefined;
  // The JAdES form is sealed when asked for, possibly with a newer key: that key must have been in use at its signing time.
  return finish('jades', payload, { check: 'signature', passed: true, reason: `sealed with the alliance's key ${kid ?? ''}`.trim() }, await trustCheck(deps, payload, kid, result.signingTime), deps, now);
}
