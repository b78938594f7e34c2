import { EntitySchema, type MikroORM } from '@mikro-orm/core';
import { openDatabase, type DatabaseTarget, type DatabaseOpenOptions } from '../../lib/orm.js';
import { CohortJobSchema } from './cohort-store.js';
import { issuanceMigrations } from './migrations/index.js';
import { CorrectionApplied, CredentialOffer, CredentialOfferItem, IdempotencyRecord, IssuanceSequence, JadesSeal, PresentationRequest, WalletNonce, IssuedCredential, StatusEvent, TrustedIssuer, TrustedIssuerKey } from './records.js';

export const IssuedCredentialSchema = new EntitySchema<IssuedCredential>({
  class: IssuedCredential,
  tableName: 'issued_credential',
  uniques: [{ properties: ['id'] }, { properties: ['achievementId', 'kind', 'achievementRevision'] }],
  indexes: [{ properties: ['learnerId'] }, { properties: ['offeringId'] }],
  properties: {
    serial: { type: 'integer', primary: true, autoincrement: true },
    id: { type: 'string', length: 64 },
    achievementId: { type: 'string', length: 255 },
    kind: { type: 'string', length: 32 },
    achievementRevision: { type: 'integer', default: 1 },
    learnerId: { type: 'string', length: 64 },
    memberId: { type: 'string', length: 253 },
    offeringId: { type: 'string', length: 255 },
    title: { type: 'string', length: 500 },
    issuerKid: { type: 'string', length: 128 },
    issuedAt: { type: 'datetime' },
    validUntil: { type: 'datetime', nullable: true },
    jwt: { type: 'text' },
    issuedBy: { type: 'string', length: 255 },
    basis: { type: 'string', length: 32, nullable: true },
    revokedAt: { type: 'datetime', nullable: true },
    revokedBy: { type: 'string', length: 255, nullable: true },
    revocationReason: { type: 'string', length: 500, nullable: true },
    suspendedAt: { type: 'datetime', nullable: true },
    suspendedBy: { type: 'string', length: 255, nullable: true },
    suspensionReason: { type: 'string', length: 500, nullable: true },
  },
});

export const CorrectionAppliedSchema = new EntitySchema<CorrectionApplied>({
  class: CorrectionApplied,
  tableName: 'correction_applied',
  uniques: [{ properties: ['achievementId', 'revision'] }],
  indexes: [{ properties: ['correctedAt'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    achievementId: { type: 'string', length: 255 },
    revision: { type: 'integer' },
    correctedAt: { type: 'datetime' },
    appliedAt: { type: 'datetime' },
    suspended: { type: 'integer' },
  },
});

export const StatusEventSchema = new EntitySchema<StatusEvent>({
  class: StatusEvent,
  tableName: 'status_event',
  indexes: [{ properties: ['credentialSerial'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    credentialSerial: { type: 'integer' },
    action: { type: 'string', length: 16 },
    actor: { type: 'string', length: 255 },
    reason: { type: 'string', length: 500 },
    at: { type: 'datetime' },
  },
});

export const IdempotencyRecordSchema = new EntitySchema<IdempotencyRecord>({
  class: IdempotencyRecord,
  tableName: 'idempotency_record',
  uniques: [{ properties: ['caller', 'key'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    subject: { type: 'string', length: 255 },
    caller: { type: 'string', length: 64 },
    key: { type: 'string', length: 255 },
    fingerprint: { type: 'string', length: 64 },
    credentialSerial: { type: 'integer' },
    createdAt: { type: 'datetime' },
  },
});

export const TrustedIssuerSchema = new EntitySchema<TrustedIssuer>({
  class: TrustedIssuer,
  tableName: 'trusted_issuer',
  properties: {
    id: { type: 'string', primary: true, length: 255 },
    name: { type: 'string', length: 255 },
    role: { type: 'string', length: 16 },
    memberId: { type: 'string', length: 253, nullable: true },
    validFrom: { type: 'datetime' },
    validUntil: { type: 'datetime', nullable: true },
  },
});

export const TrustedIssuerKeySchema = new EntitySchema<TrustedIssuerKey>({
  class: TrustedIssuerKey,
  tableName: 'trusted_issuer_key',
  indexes: [{ properties: ['issuerId'] }],
  properties: {
    kid: { type: 'string', primary: true, length: 128 },
    issuerId: { type: 'string', length: 255 },
    publicJwk: { type: 'text' },
    validFrom: { type: 'datetime' },
    validUntil: { type: 'datetime', nullable: true },
  },
});

export const IssuanceSequenceSchema = new EntitySchema<IssuanceSequence>({
  class: IssuanceSequence,
  tableName: 'issuance_sequence',
  properties: {
    name: { type: 'string', primary: true, length: 64 },
    nextValue: { type: 'integer' },
  },
});

export const JadesSealSchema = new EntitySchema<JadesSeal>({
  class: JadesSeal,
  tableName: 'jades_seal',
  properties: {
    credentialSerial: { type: 'integer', primary: true },
    kid: { type: 'string', length: 128 },
    document: { type: 'text' },
    sealedAt: { type: 'datetime' },
  },
});

export const CredentialOfferSchema = new EntitySchema<CredentialOffer>({
  class: CredentialOffer,
  tableName: 'credential_offer',
  uniques: [{ properties: ['preAuthorizedCode'] }, { properties: ['accessTokenHash'] }, { properties: ['callerScope', 'idempotencyKey'] }],
  indexes: [{ properties: ['learnerId'] }],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    learnerId: { type: 'string', length: 64 },
    createdBy: { type: 'string', length: 255 },
    createdAt: { type: 'datetime' },
    expiresAt: { type: 'datetime' },
    preAuthorizedCode: { type: 'string', length: 128, nullable: true },
    txCode: { type: 'string', length: 16, nullable: true },
    txCodeAttempts: { type: 'integer' },
    redeemedAt: { type: 'datetime', nullable: true },
    accessTokenHash: { type: 'string', length: 64, nullable: true },
    accessTokenExpiresAt: { type: 'datetime', nullable: true },
    callerScope: { type: 'string', length: 64, nullable: true },
    idempotencyKey: { type: 'string', length: 255, nullable: true },
    fingerprint: { type: 'string', length: 64, nullable: true },
  },
});

export const CredentialOfferItemSchema = new EntitySchema<CredentialOfferItem>({
  class: CredentialOfferItem,
  tableName: 'credential_offer_item',
  uniques: [{ properties: ['identifier'] }, { properties: ['transactionId'] }],
  indexes: [{ properties: ['offerId'] }],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    offerId: { type: 'string', length: 64 },
    identifier: { type: 'string', length: 64 },
    achievementId: { type: 'string', length: 255 },
    kind: { type: 'string', length: 32 },
    credentialSerial: { type: 'integer', nullable: true },
    transactionId: { type: 'string', length: 64, nullable: true },
    holder: { type: 'text', nullable: true },
    deliveredAt: { type: 'datetime', nullable: true },
  },
});

export const WalletNonceSchema = new EntitySchema<WalletNonce>({
  class: WalletNonce,
  tableName: 'wallet_nonce',
  properties: {
    nonce: { type: 'string', primary: true, length: 64 },
    expiresAt: { type: 'datetime' },
  },
});

export const PresentationRequestSchema = new EntitySchema<PresentationRequest>({
  class: PresentationRequest,
  tableName: 'presentation_request',
  uniques: [{ properties: ['nonce'] }, { properties: ['callerScope', 'idempotencyKey'] }],
  indexes: [{ properties: ['verifierId'] }],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    verifierId: { type: 'string', length: 500 },
    createdBy: { type: 'string', length: 255 },
    createdAt: { type: 'datetime' },
    expiresAt: { type: 'datetime' },
    nonce: { type: 'string', length: 64 },
    state: { type: 'string', length: 64 },
    query: { type: 'text' },
    purpose: { type: 'string', length: 500, nullable: true },
    status: { type: 'string', length: 16 },
    result: { type: 'text', nullable: true },
    resultJwt: { type: 'text', nullable: true },
    answeredAt: { type: 'datetime', nullable: true },
    refusedAttempts: { type: 'integer' },
    callerScope: { type: 'string', length: 64, nullable: true },
    idempotencyKey: { type: 'string', length: 255, nullable: true },
    fingerprint: { type: 'string', length: 64, nullable: true },
  },
});

export const issuanceEntities = [CredentialOfferSchema, CredentialOfferItemSchema, WalletNonceSchema, PresentationRequestSchema, JadesSealSchema, IssuedCredentialSchema, StatusEventSchema, CorrectionAppliedSchema, IdempotencyRecordSchema, TrustedIssuerSchema, TrustedIssuerKeySchema, IssuanceSequenceSchema, CohortJobSchema];

export function openIssuanceDatabase(target: DatabaseTarget, options: DatabaseOpenOptions = {}): Promise<MikroORM> {
  return openDatabase({ target, entities: issuanceEntities, migrations: issuanceMigrations, ...options });
}
