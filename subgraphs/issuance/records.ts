/*
 * What the issuance service stores. Plain classes mapped by database.ts; the
 * GraphQL types the graph shows are in model.ts.
 */

import type { IssuanceBasis } from './accreditation.js';
import type { CredentialKind } from './facts.js';

/**
 * One issued credential. `serial` places it in the status lists (list
 * floor((serial-1)/LIST_LENGTH), bit (serial-1) mod LIST_LENGTH); the unique
 * (achievementId, kind, achievementRevision) is what makes "at most one
 * credential per achievement, as corrected, and type" a fact of the
 * database, not of the code.
 */
export class IssuedCredential {
  serial!: number;
  /** `urn:uuid:<uuid>`. */
  id!: string;
  achievementId!: string;
  kind!: CredentialKind;
  /**
   * The achievement's revision at the member when issued (1 until its staff
   * correct it). A correction lets one credential be issued for the corrected
   * facts; issuing it revokes the earlier revision's (issue.ts, supersede).
   */
  achievementRevision!: number;
  learnerId!: string;
  memberId!: string;
  offeringId!: string;
  title!: string;
  issuerKid!: string;
  issuedAt!: Date;
  validUntil?: Date | null;
  /** The sealed credential (application/vc+jwt); its payload is the credential, so it is stored once. */
  jwt!: string;
  /** Who asked for it (token subject). */
  issuedBy!: string;
  /**
   * Why it could be issued (the accreditation rule's basis at issuance), so
   * every later answer about it - a retry, a replayed Idempotency-Key - states
   * the same basis. Null for credentials issued before the hub recorded it.
   */
  basis?: IssuanceBasis | null;
  revokedAt?: Date | null;
  revokedBy?: string | null;
  revocationReason?: string | null;
  suspendedAt?: Date | null;
  suspendedBy?: string | null;
  suspensionReason?: string | null;
}

/**
 * A credential's JAdES seal (its Europass form, edc.ts toEuropassForm), made
 * on first request and kept: the same document, with the same signing time,
 * every time it is fetched, until the issuing key is rotated (then it is sealed
 * again with the key in use).
 */
export class JadesSeal {
  credentialSerial!: number;
  /** The key that made it. */
  kid!: string;
  /** The JAdES JSON document, as served. */
  document!: string;
  sealedAt!: Date;
}

/** A status change, kept as history: who did what to which credential, when and why. */
/**
 * A member's correction of an achievement that this service has acted on
 * (corrections.ts): each (achievement, revision) once, so a manual resume
 * afterwards is not undone by reading the correction again.
 */
export class CorrectionApplied {
  id!: number;
  achievementId!: string;
  revision!: number;
  /** When the member corrected it (the next read starts a little before the latest). */
  correctedAt!: Date;
  appliedAt!: Date;
  /** Credentials suspended for it. */
  suspended!: number;
}

export class StatusEvent {
  id!: number;
  credentialSerial!: number;
  action!: 'REVOKE' | 'SUSPEND' | 'RESUME';
  actor!: string;
  reason!: string;
  at!: Date;
}

/**
 * An Idempotency-Key as used: same caller + key + request gives the same
 * credential; the same key with another request is refused. Written in the
 * same transaction as the credential (or, when the credential existed
 * already, on its own). A key belongs to one caller: the token subject
 * *and* the roles, learner, member and verifier it carries (`caller`), so a
 * token that only shares the subject is another caller with keys of its own.
 */
export class IdempotencyRecord {
  id!: number;
  /** The token subject (kept for the audit trail; `caller` is what a key is scoped to). */
  subject!: string;
  /** sha256 of the caller's whole identity (see `callerScope` in issue.ts). */
  caller!: string;
  key!: string;
  /** sha256 of the request (achievement id and kind). */
  fingerprint!: string;
  credentialSerial!: number;
  createdAt!: Date;
}

/** The register of trusted issuers: the alliance and its members, with validity periods. */
export class TrustedIssuer {
  /** A URI: the alliance's issuer id, or `https://<member id>` for a member. */
  id!: string;
  name!: string;
  role!: 'ALLIANCE' | 'MEMBER';
  memberId?: string | null;
  validFrom!: Date;
  validUntil?: Date | null;
}

/** A key of a trusted issuer, with the period credentials sealed with it are trusted for. */
export class TrustedIssuerKey {
  kid!: string;
  issuerId!: string;
  /** The public JWK, as JSON. */
  publicJwk!: string;
  validFrom!: Date;
  validUntil?: Date | null;
}

/**
 * A number handed out in ranges outside any transaction: `credential_serial`
 * is the next serial a credential may take. Reserving is one atomic update,
 * so concurrent batches never want the same serials, and a batch is sealed
 * before its (short) insert transaction opens. A batch that fails after
 * reserving leaves its serials unused: bits of the status lists no
 * credential names.
 */
export class IssuanceSequence {
  name!: string;
  nextValue!: number;
}

/**
 * An OpenID4VCI credential offer (pre-authorised code flow) the learner made
 * in the portal for their wallet. The codes are short-lived secrets (minutes),
 * kept only until the offer is redeemed or expires; the access token is kept
 * as its SHA-256 only.
 */
export class CredentialOffer {
  /** A random UUID: part of the offer's URL, so unguessable. */
  id!: string;
  learnerId!: string;
  /** Who made it (token subject) and when: the audit trail. */
  createdBy!: string;
  createdAt!: Date;
  expiresAt!: Date;
  preAuthorizedCode?: string | null;
  txCode?: string | null;
  /** Wrong transaction codes so far; at MAX_TX_CODE_ATTEMPTS the offer is void. */
  txCodeAttempts!: number;
  redeemedAt?: Date | null;
  accessTokenHash?: string | null;
  accessTokenExpiresAt?: Date | null;
  /** Idempotency-Key of the request that made it, scoped to its caller (issue.ts callerScope). */
  callerScope?: string | null;
  idempotencyKey?: string | null;
  fingerprint?: string | null;
}

/** One credential of an offer, with what happened to it. */
export class CredentialOfferItem {
  id!: number;
  offerId!: string;
  /** The OID4VCI credential_identifier the token response names. */
  identifier!: string;
  achievementId!: string;
  kind!: string;
  /** The issued credential; null while its cohort is still being issued (deferred issuance). */
  credentialSerial?: number | null;
  /** For deferred issuance: the transaction_id the wallet polls with. */
  transactionId?: string | null;
  /** The wallet key it was bound to (its DID) and when it was handed over. */
  holder?: string | null;
  deliveredAt?: Date | null;
}

/** A c_nonce from the nonce endpoint: usable once, for a few minutes. */
export class WalletNonce {
  nonce!: string;
  expiresAt!: Date;
}

/**
 * An OpenID4VP request of a verifier (an organisation with the verifier role),
 * and its outcome once a wallet answered with a presentation that held.
 */
export class PresentationRequest {
  id!: string;
  verifierId!: string;
  createdBy!: string;
  createdAt!: Date;
  expiresAt!: Date;
  nonce!: string;
  state!: string;
  /** The DCQL query, as JSON. */
  query!: string;
  purpose?: string | null;
  /** PENDING until a presentation that held was received, then VERIFIED or REFUSED (it held, but a credential check failed). */
  status!: string;
  /** The verification result as JSON, and sealed by the hub (a JWT the verifier can keep). */
  result?: string | null;
  resultJwt?: string | null;
  answeredAt?: Date | null;
  /** Presentations refused before one held (wrong nonce, audience, signature...). */
  refusedAttempts!: number;
  callerScope?: string | null;
  idempotencyKey?: string | null;
  fingerprint?: string | null;
}
