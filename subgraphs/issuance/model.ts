// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CHECKS } from './verify.js';

/* The issuance subgraph's GraphQL types (what it stores is in records.ts). */

export enum CredentialKind {
  MICRO_CREDENTIAL = 'MICRO_CREDENTIAL',
  PARTICIPATION = 'PARTICIPATION',
  PATHWAY = 'PATHWAY',
}

export enum CredentialStatus {
  ACTIVE = 'ACTIVE',
  SUSPENDED = 'SUSPENDED',
  REVOKED = 'REVOKED',
}

export enum IssuanceBasis {
  MEMBER_AUTHORITY = 'MEMBER_AUTHORITY',
  EXTERNAL_ACCREDITATION = 'EXTERNAL_ACCREDITATION',
  NOT_CREDIT_BEARING = 'NOT_CREDIT_BEARING',
  PARTICIPATION = 'PARTICIPATION',
}

export enum IssuanceJobStatus {
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}

export enum TrustedIssuerRole {
  ALLIANCE = 'ALLIANCE',
  MEMBER = 'MEMBER',
}

export const VerificationCheckName = Object.fromEntries(CHECKS.map((check) => [check, check])) as { [K in (typeof CHECKS)[number]]: K };

/** Registers the enums with type-graphql (called when the schema is built: no import-time side effects). */
export function registerIssuanceEnums(): void {
  registerEnumType(CredentialKind, {
    name: 'CredentialKind',
    valuesConfig: {
      MICRO_CREDENTIAL: { description: 'A micro-credential with every Annex I element; credit-bearing when the offering is, subject to the accreditation rule.' },
      PARTICIPATION: { description: 'A certificate of participation: no credit, and it says so.' },
      PATHWAY: { description: 'The stacked credential of a completed pathway (issuePathwayCredential): its parts are the achievements and recognised credit that counted.' },
    },
  });
  registerEnumType(CredentialStatus, {
    name: 'CredentialStatus',
    valuesConfig: {
      ACTIVE: { description: 'Neither revoked nor suspended.' },
      SUSPENDED: { description: 'Suspended: verification fails until it is resumed.' },
      REVOKED: { description: 'Revoked for good.' },
    },
  });
  registerEnumType(IssuanceBasis, {
    name: 'IssuanceBasis',
    description: 'Why the hub could issue the credential.',
    valuesConfig: {
      MEMBER_AUTHORITY: { description: 'The awarding member may approve micro-credentials at its accreditation authority level.' },
      EXTERNAL_ACCREDITATION: { description: 'The offering has an external accreditation record valid on the assessment date.' },
      NOT_CREDIT_BEARING: { description: 'The offering awards no credit, so no accreditation is needed.' },
      PARTICIPATION: { description: 'A certificate of participation (no credit).' },
    },
  });
  registerEnumType(TrustedIssuerRole, { name: 'TrustedIssuerRole' });
  registerEnumType(IssuanceJobStatus, {
    name: 'IssuanceJobStatus',
    valuesConfig: {
      RUNNING: { description: 'Still issuing: the counts grow as pages of the cohort are stored.' },
      COMPLETED: { description: 'Every passed achievement of the cohort was considered.' },
      FAILED: { description: 'Stopped (see `failure`); what was issued stays issued, and running it again issues the rest.' },
    },
  });
  registerEnumType(VerificationCheckName, {
    name: 'VerificationCheckName',
    valuesConfig: {
      signature: { description: 'The seal matches the credential and was made with a key the verifier could obtain.' },
      trustedIssuer: { description: "The issuer and its key were in the alliance's register of trusted issuers when the credential was issued." },
      authority: {
        description:
          'The accreditation rule: credit is awarded only in the name of an alliance member that may approve micro-credentials, or for an offering whose external accreditation was valid on the assessment date (as its member states it now).',
      },
      revocation: { description: 'Not revoked (Bitstring Status List).' },
      suspension: { description: 'Not suspended (Bitstring Status List).' },
      validity: { description: 'Within its validity period.' },
      schema: { description: 'Valid against the W3C VC 2.0 and EBSI EDC JSON Schemas.' },
    },
  });
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'An alliance member; resolved by the member itself.' })
export class Institution {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'An assessed achievement; resolved by the member that holds it.' })
export class Achievement {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'A stackable pathway; resolved by the recognition service.' })
export class Pathway {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'An alliance learner. The issuance service adds the learner\'s wallet of credentials.' })
export class Learner {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'A change of status: when and why (and by whom, for staff and administrators).' })
export class StatusChange {
  @Field(() => DateTimeISOResolver)
  at!: Date;

  @Field(() => String)
  reason!: string;

  @Field(() => String, { nullable: true, description: 'Who did it (token subject); shown to staff and administrators only.' })
  by!: string | null;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A credential the alliance issued and sealed on behalf of a member: a micro-credential, a certificate of participation or the stacked credential of a pathway.' })
export class Credential {
  @Field(() => ID, { description: 'The credential id, `urn:uuid:…`.' })
  id!: string;

  @Field(() => CredentialKind, { description: 'A micro-credential, a non-credit certificate of participation, or a stacked pathway credential.' })
  kind!: CredentialKind;

  @Field(() => String, { description: 'The title of the offering it certifies (of the pathway, for a stacked credential).' })
  title!: string;

  @Field(() => DateTimeISOResolver, { description: 'When the alliance issued and sealed it (its `validFrom`).' })
  issuedAt!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When it expires; null: it does not.' })
  validUntil!: Date | null;
}

@ObjectType({ description: 'A credential as a file to save or upload to a Europass wallet.' })
export class EuropassExport {
  @Field(() => String, { description: 'A file name for it, e.g. "urban-planning-1a2b3c4d-signed.jsonld".' })
  fileName!: string;

  @Field(() => String, { description: '"application/jose+json" (a JWS in JSON serialization).' })
  mediaType!: string;

  @Field(() => String, { description: 'The file: the JAdES-sealed EDC credential (as `Credential.jades`).' })
  content!: string;
}

@InputType()
export class IssueCredentialInput {
  @Field(() => ID, { description: 'The passed achievement to certify, e.g. "tuni.fi:ach-123-1".' })
  achievementId!: string;

  @Field(() => CredentialKind, { defaultValue: CredentialKind.MICRO_CREDENTIAL })
  kind!: CredentialKind;
}

@ObjectType()
export class IssueCredentialPayload {
  @Field(() => Credential)
  credential!: Credential;

  @Field(() => Boolean, { description: 'False when it had been issued before (a retry): the same credential is returned.' })
  created!: boolean;

  @Field(() => IssuanceBasis, { nullable: true, description: 'Why it could be issued: the basis recorded when it was issued, the same on every retry; null only for credentials issued before the hub recorded it.' })
  basis!: IssuanceBasis | null;
}

@InputType()
export class IssuePathwayCredentialInput {
  @Field(() => ID, { description: 'The completed pathway.' })
  pathwayId!: string;

  @Field(() => ID, { description: 'The learner who completed it, e.g. "eciu-4k7q2m9x8c1z".' })
  learnerId!: string;
}

@ObjectType()
export class VerificationCheck {
  @Field(() => VerificationCheckName)
  check!: string;

  @Field(() => Boolean)
  passed!: boolean;

  @Field(() => String, { description: 'Why it failed, or what was found.' })
  reason!: string;
}

@ObjectType({ description: 'The outcome of verifying a credential: every check with its reason.' })
export class VerificationResult {
  @Field(() => Boolean, { description: 'True only when every check passed.' })
  verified!: boolean;

  @Field(() => String, { description: '"vc+jwt" or "jades".' })
  format!: string;

  @Field(() => ID, { nullable: true })
  credentialId!: string | null;

  @Field(() => String, { nullable: true, description: 'The issuer the credential names.' })
  issuer!: string | null;

  @Field(() => [VerificationCheck])
  checks!: VerificationCheck[];
}

@ObjectType({ description: 'An entry of the register of trusted issuers.' })
export class TrustedIssuerEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => TrustedIssuerRole)
  role!: TrustedIssuerRole;

  @Field(() => Institution, { nullable: true, description: 'The member, for member entries.' })
  member!: Institution | null;

  @Field(() => DateTimeISOResolver, { description: 'Trusted for credentials issued from this instant.' })
  validFrom!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'Trusted for credentials issued before this instant; null: still trusted.' })
  validUntil!: Date | null;

  @Field(() => [TrustedIssuerKeyEntry], { description: 'The keys it seals with (the alliance only: members are awarding bodies, the alliance seals).' })
  keys!: TrustedIssuerKeyEntry[];
}

@ObjectType()
export class TrustedIssuerKeyEntry {
  @Field(() => ID, { description: 'The key id (`kid`), as in the published key set.' })
  kid!: string;

  @Field(() => DateTimeISOResolver, { description: 'Seals made from this instant are trusted.' })
  validFrom!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'Retired: seals made after this instant are not trusted; null: the key in use.' })
  validUntil!: Date | null;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'A learning opportunity; resolved by the member that offers it.' })
export class LearningOpportunity {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: 'An achievement of the cohort that got no credential, and why.' })
export class IssuanceProblem {
  @Field(() => ID)
  achievementId!: string;

  @Field(() => String)
  reason!: string;
}

@ObjectType({ description: "Bulk issuance of an offering's cohort: progress and outcome." })
export class IssuanceJob {
  @Field(() => ID)
  id!: string;

  @Field(() => LearningOpportunity)
  offering!: LearningOpportunity;

  @Field(() => CredentialKind)
  kind!: CredentialKind;

  @Field(() => IssuanceJobStatus)
  status!: IssuanceJobStatus;

  @Field(() => Int, { nullable: true, description: 'Passed achievements in the cohort (known once the first page is read).' })
  total!: number | null;

  @Field(() => Int, { description: 'Credentials issued by this job.' })
  issued!: number;

  @Field(() => Int, { description: 'Achievements that already had their credential (issued before, or by a concurrent request).' })
  alreadyIssued!: number;

  @Field(() => Int, { description: 'Achievements refused (e.g. the accreditation rule) or unreadable; see `problems`.' })
  refused!: number;

  @Field(() => [IssuanceProblem], { description: 'The first 100 refusals with their reasons.' })
  problems!: IssuanceProblem[];

  @Field(() => DateTimeISOResolver)
  startedAt!: Date;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'Null while the job runs.' })
  finishedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the job stopped, when it failed.' })
  failure!: string | null;

  @Field(() => Int, { description: 'Runs of the job: 1, plus one each time an issuance replica took it over from one that had stopped.' })
  attempts!: number;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When a replica last took the job over and carried on from its last recorded page; null if it never was.' })
  resumedAt!: Date | null;
}

export enum CredentialOfferStatus {
  OFFERED = 'OFFERED',
  REDEEMED = 'REDEEMED',
  DELIVERED = 'DELIVERED',
  EXPIRED = 'EXPIRED',
  VOID = 'VOID',
}

export enum PresentationStatus {
  PENDING = 'PENDING',
  VERIFIED = 'VERIFIED',
  REFUSED = 'REFUSED',
  EXPIRED = 'EXPIRED',
}

/** Registers the wallet enums (with registerIssuanceEnums, when the schema is built). */
export function registerWalletEnums(): void {
  registerEnumType(CredentialOfferStatus, {
    name: 'CredentialOfferStatus',
    valuesConfig: {
      OFFERED: { description: 'Waiting for the wallet: scan the QR code (or open the URI) and type the transaction code.' },
      REDEEMED: { description: 'The wallet took the offer; it is fetching the credentials.' },
      DELIVERED: { description: 'Every credential of the offer is in the wallet.' },
      EXPIRED: { description: 'Not taken in time: make a new offer.' },
      VOID: { description: 'Too many wrong transaction codes: make a new offer.' },
    },
  });
  registerEnumType(PresentationStatus, {
    name: 'PresentationStatus',
    valuesConfig: {
      PENDING: { description: 'Waiting for a wallet to present.' },
      VERIFIED: { description: 'A presentation bound to this request was received and every credential in it verified.' },
      REFUSED: { description: 'A presentation bound to this request was received, but a credential in it failed a check (see `result`).' },
      EXPIRED: { description: 'No presentation came in time.' },
    },
  });
}

@InputType()
export class CredentialOfferInput {
  @Field(() => [ID], { defaultValue: [], description: 'Issued credentials of yours to send to the wallet (`urn:uuid:…`).' })
  credentialIds!: string[];

  @Field(() => [ID], { defaultValue: [], description: 'Passed achievements of yours: issued now if need be; one whose cohort is being issued is handed to the wallet when it is (deferred issuance).' })
  achievementIds!: string[];

  @Field(() => CredentialKind, { defaultValue: CredentialKind.MICRO_CREDENTIAL, description: 'The kind of credential for `achievementIds`.' })
  kind!: CredentialKind;
}

@ObjectType({ description: 'A credential of a wallet offer and what became of it.' })
export class OfferedCredential {
  @Field(() => Achievement)
  achievement!: Achievement;

  @Field(() => CredentialKind)
  kind!: CredentialKind;

  @Field(() => ID, { nullable: true, description: 'The credential; null while its cohort is still being issued.' })
  credentialId!: string | null;

  @Field(() => Boolean, { description: 'True while the wallet waits for it (deferred issuance).' })
  deferred!: boolean;

  @Field(() => DateTimeISOResolver, { nullable: true, description: 'When the wallet received it.' })
  deliveredAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'The wallet key (a DID) it was bound to.' })
  holder!: string | null;
}

@ObjectType({ description: 'An offer of credentials to the learner\'s wallet (OpenID for Verifiable Credential Issuance, pre-authorised code flow).' })
export class WalletCredentialOffer {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The `openid-credential-offer://` URI: a link for a wallet on the same device.' })
  offerUri!: string;

  @Field(() => String, { description: 'Where the wallet reads the offer (what the URI points to).' })
  offerUrl!: string;

  @Field(() => String, { description: 'The offer URI as a QR code (SVG markup) for a wallet on a phone.' })
  qrCodeSvg!: string;

  @Field(() => String, { nullable: true, description: 'The 6-digit code to type into the wallet; shown only while the offer waits for the wallet.' })
  transactionCode!: string | null;

  @Field(() => DateTimeISOResolver)
  expiresAt!: Date;

  @Field(() => CredentialOfferStatus)
  status!: CredentialOfferStatus;

  @Field(() => [OfferedCredential])
  credentials!: OfferedCredential[];
}

@InputType()
export class PresentationRequestInput {
  @Field(() => String, { nullable: true, description: 'A DCQL query (OpenID4VP 1.0), as JSON: credential queries of format "jwt_vc_json" with `meta.type_values` and `claims` paths. Default: any ECIU credential.' })
  dcqlQuery?: string | null;

  @Field(() => String, { nullable: true, description: 'Why you ask, in words the learner is shown (3 to 500 characters).' })
  purpose?: string | null;
}

@ObjectType({ description: "A verifier's request for a presentation from a learner's wallet (OpenID for Verifiable Presentations), and its outcome." })
export class PresentationRequestView {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The `openid4vp://` authorisation request for the wallet (as a link or `qrCodeSvg`).' })
  requestUri!: string;

  @Field(() => String, { description: 'The request as a QR code (SVG markup).' })
  qrCodeSvg!: string;

  @Field(() => String, { description: 'The audience a presentation must name (`aud`).' })
  clientId!: string;

  @Field(() => String, { description: 'The nonce a presentation must carry.' })
  nonce!: string;

  @Field(() => String, { description: 'The DCQL query, as JSON.' })
  dcqlQuery!: string;

  @Field(() => String, { nullable: true })
  purpose!: string | null;

  @Field(() => DateTimeISOResolver)
  expiresAt!: Date;

  @Field(() => PresentationStatus)
  status!: PresentationStatus;

  @Field(() => String, { nullable: true, description: 'The verification of the presentation, as JSON (each credential with every check and its reason).' })
  result!: string | null;

  @Field(() => String, { nullable: true, description: "The same result sealed by the hub (a JWT verifiable with the alliance's key set): evidence to keep." })
  resultJwt!: string | null;

  @Field(() => DateTimeISOResolver, { nullable: true })
  answeredAt!: Date | null;

  @Field(() => Int, { description: 'Presentations refused before one held (another nonce or audience, a replay, a bad signature).' })
  refusedAttempts!: number;
}
