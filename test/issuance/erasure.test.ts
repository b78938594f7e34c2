import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlEntityManager } from '../../lib/orm.js';
import { openIssuanceDatabase } from '../../subgraphs/issuance/database.js';
import { eraseLearner } from '../../subgraphs/issuance/erasure.js';
import { CredentialOffer, CredentialOfferItem } from '../../subgraphs/issuance/records.js';

describe('erasing a learner in the issuance service', () => {
  let dir: string;
  let orm: MikroORM;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'issuance-erasure-'));
    orm = await openIssuanceDatabase({ kind: 'sqlite', location: join(dir, 'issuance.sqlite') });
  });
  afterAll(async () => {
    await orm?.close(true);
    rmSync(dir, { recursive: true, force: true });
  });

  const offer = (id: string, learnerId: string) =>
    Object.assign(new CredentialOffer(), { id, learnerId, createdBy: learnerId, createdAt: new Date(), expiresAt: new Date(), preAuthorizedCode: null, txCode: null, txCodeAttempts: 0 });
  const item = (offerId: string, identifier: string) => Object.assign(new CredentialOfferItem(), { offerId, identifier, achievementId: 'tuni.fi:ach-1', kind: 'MICRO_CREDENTIAL' });

  it("deletes the learner's wallet offers and their items, and no one else's", async () => {
    const em = orm.em.fork() as SqlEntityManager;
    await em.insertMany(CredentialOffer, [offer('00000000-0000-4000-8000-000000000001', 'eciu-aaa'), offer('00000000-0000-4000-8000-000000000002', 'eciu-bbb')]);
    await em.insertMany(CredentialOfferItem, [item('00000000-0000-4000-8000-000000000001', 'i-1'), item('00000000-0000-4000-8000-000000000001', 'i-2'), item('00000000-0000-4000-8000-000000000002', 'i-3')]);
    expect(await eraseLearner(orm.em.fork() as SqlEntityManager, 'eciu-aaa')).toEqual({ walletOffers: 1, walletOfferItems: 2, idempotencyKeys: 0, credentialsRevoked: 0, credentialsUnlinked: 0 });
    expect(await orm.em.fork().count(CredentialOffer, {})).toBe(1);
    expect((await orm.em.fork().find(CredentialOfferItem, {})).map((row) => row.identifier)).toEqual(['i-3']);
    expect(await eraseLearner(orm.em.fork() as SqlEntityManager, 'eciu-aaa')).toEqual({ walletOffers: 0, walletOfferItems: 0, idempotencyKeys: 0, credentialsRevoked: 0, credentialsUnlinked: 0 });
  });
});
