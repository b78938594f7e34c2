import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UniqueConstraintViolationException, type MikroORM } from '@mikro-orm/core';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlEntityManager } from '../../lib/orm.js';
import { openIssuanceDatabase } from '../../subgraphs/issuance/database.js';
import { issuanceMigrations } from '../../subgraphs/issuance/migrations/index.js';
import { reserveSerials, statusPosition, storeCredentials, type PreparedIssue } from '../../subgraphs/issuance/issue.js';
import { loadIssuerKeys, type IssuerKeyRing } from '../../subgraphs/issuance/keys.js';
import { IdempotencyRecord, IssuedCredential } from '../../subgraphs/issuance/records.js';
import { syncRegister, TrustRegister } from '../../subgraphs/issuance/register.js';
import { createVerificationValidator } from '../../subgraphs/issuance/schemas.js';
import { readUnverified } from '../../subgraphs/issuance/seal.js';
import { allianceIssuer } from '../../subgraphs/issuance/server.js';
import { StatusLists } from '../../subgraphs/issuance/statuses.js';
import { verifyCredential } from '../../subgraphs/issuance/verify.js';
import { DATABASE_KINDS, temporaryDatabase, type TemporaryTarget } from '../helpers/databases.js';
import { FULL, fixtureAuthority, PARTICIPATION } from './fixtures.js';

/*
 * Issued credentials in both databases the hub supports (the hub tests run on
 * SQLite only): serials reserved in ranges (never twice, gaps after a failed
 * batch, continuing an older database), all-or-nothing batches, the
 * database's own "one per achievement and kind", concurrent batches, the
 * idempotency record in the same transaction, and verification reading the
 * register and the status lists back.
 */

const issuer = allianceIssuer('https://hub.example');
const dependencies = (keys: IssuerKeyRing) => ({ sources: null as never, keys, issuer });

/** A request for a distinct achievement of the FULL fixture's learner and offering. */
function item(achievementId: string, kind: 'MICRO_CREDENTIAL' | 'PARTICIPATION' = 'MICRO_CREDENTIAL', idempotency: PreparedIssue['idempotency'] = null): PreparedIssue {
  const base = kind === 'PARTICIPATION' ? PARTICIPATION : FULL;
  return {
    facts: { learner: { ...base.learner, id: 'learner-1' }, awardingBody: base.awardingBody, achievement: { ...base.achievement, id: achievementId }, offering: base.offering, learningOutcomes: base.learningOutcomes, acquiredSkills: base.acquiredSkills },
    request: { achievementId, kind },
    idempotency,
  };
}

describe.each(DATABASE_KINDS)('issued credentials in %s', (kind) => {
  let database: TemporaryTarget;
  let orm: MikroORM;
  let keys: IssuerKeyRing;
  let keysDir: string;
  const em = () => orm.em.fork() as SqlEntityManager;

  beforeAll(async () => {
    database = await temporaryDatabase(kind);
    orm = await openIssuanceDatabase(database.target);
    keysDir = mkdtempSync(join(tmpdir(), 'issuance-storage-keys-'));
    keys = await loadIssuerKeys(keysDir, { create: true });
    await syncRegister(orm, issuer, keys, []);
  });
  afterAll(async () => {
    await orm?.close(true);
    await database?.drop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('stores a batch with serials after the highest, and each credential names its own place in the status lists', async () => {
    const rows = await storeCredentials(em(), dependencies(keys), [item('tuni.fi:ach-s1'), item('tuni.fi:ach-s2'), item('tuni.fi:ach-s3')], 'staff');
    expect(rows.map((row) => row.serial)).toEqual([1, 2, 3]);
    for (const row of rows) {
      const status = (readUnverified(row.jwt).credential?.['credentialStatus'] as { statusListIndex: string }[])[0];
      expect(Number(status?.statusListIndex)).toBe(statusPosition(row.serial).index);
    }
    const more = await storeCredentials(em(), dependencies(keys), [item('tuni.fi:ach-s4')], 'staff');
    expect(more.map((row) => row.serial)).toEqual([4]);
  });

  it('stores all of a batch or none of it', async () => {
    const before = await em().count(IssuedCredential, {});
    const broken = item('tuni.fi:ach-broken');
    broken.facts = { ...broken.facts, achievement: { ...broken.facts.achievement, passed: false } };
    await expect(storeCredentials(em(), dependencies(keys), [item('tuni.fi:ach-b1'), broken, item('tuni.fi:ach-b2')], 'staff')).rejects.toThrow(/not passed/);
    expect(await em().count(IssuedCredential, {})).toBe(before);
  });

  it('lets the database refuse a second credential of the same kind for an achievement', async () => {
    await storeCredentials(em(), dependencies(keys), [item('tuni.fi:ach-once')], 'staff');
    await expect(storeCredentials(em(), dependencies(keys), [item('tuni.fi:ach-once')], 'staff')).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    // Another kind for the same achievement is another credential.
    await expect(storeCredentials(em(), dependencies(keys), [item('tuni.fi:ach-once', 'PARTICIPATION')], 'staff')).resolves.toHaveLength(1);
    expect(await em().count(IssuedCredential, { achievementId: 'tuni.fi:ach-once' })).toBe(2);
  });

  it('gives concurrent batches distinct serials, each credential matching its own', async () => {
    const batches = Array.from({ length: 4 }, (_, batch) => Array.from({ length: 5 }, (_, index) => item(`tuni.fi:ach-c${batch}-${index}`)));
    const stored = (await Promise.all(batches.map((batch) => storeCredentials(em(), dependencies(keys), batch, 'staff')))).flat();
    const serials = stored.map((row) => row.serial);
    expect(new Set(serials).size).toBe(20);
    const rows = await em().find(IssuedCredential, { achievementId: { $like: 'tuni.fi:ach-c%' } });
    expect(rows).toHaveLength(20);
    for (const row of rows) {
      const status = (readUnverified(row.jwt).credential?.['credentialStatus'] as { statusListIndex: string }[])[0];
      expect(Number(status?.statusListIndex), row.achievementId).toBe(statusPosition(row.serial).index);
    }
  });

  it('keeps the idempotency record in the same transaction as the credential', async () => {
    const [row] = await storeCredentials(em(), dependencies(keys), [item('tuni.fi:ach-idem', 'MICRO_CREDENTIAL', { subject: 'learner-1', caller: 'scope-of-learner-1', key: 'key-0123456789' })], 'learner-1');
    const record = await em().findOneOrFail(IdempotencyRecord, { caller: 'scope-of-learner-1', key: 'key-0123456789' });
    expect(record.credentialSerial).toBe(row?.serial);
  });

  it('leaves the serials of a failed batch unused and never hands out one twice', async () => {
    const before = await reserveSerials(em(), 1);
    const broken = item('tuni.fi:ach-gap-2');
    broken.facts = { ...broken.facts, achievement: { ...broken.facts.achievement, passed: false } };
    await expect(storeCredentials(em(), dependencies(keys), [item('tuni.fi:ach-gap-1'), broken], 'staff')).rejects.toThrow(/not passed/);
    const [next] = await storeCredentials(em(), dependencies(keys), [item('tuni.fi:ach-gap-3')], 'staff');
    // One serial reserved above, two by the failed batch: the next credential comes after all of them.
    expect(next?.serial).toBe(before + 3);
  });

  it('never reserves a serial at or below one already stored, even when the sequence fell behind', async () => {
    const top = (await reserveSerials(em(), 1)) + 10;
    // A row written past the sequence (a restore, an older version still running during an upgrade).
    await em().getConnection().execute(
      `insert into issued_credential (serial, id, achievement_id, kind, learner_id, member_id, offering_id, title, issuer_kid, issued_at, jwt, issued_by) values (?, 'urn:uuid:ahead', 'tuni.fi:ach-ahead', 'PARTICIPATION', 'learner-1', 'tuni.fi', 'tuni.fi:mm-1', 'Ahead', 'kid', ?, 'x.y.z', 'staff')`,
      [top, new Date()],
    );
    expect(await reserveSerials(em(), 2)).toBe(top + 1);
    const [next] = await storeCredentials(em(), dependencies(keys), [item('tuni.fi:ach-after-ahead')], 'staff');
    expect(next?.serial).toBe(top + 3);
  });

  it("continues after the highest serial of a database that issued before serials were reserved", async () => {
    const old = await temporaryDatabase(kind);
    const legacy = await openIssuanceDatabase(old.target, { migrate: false });
    try {
      const [initial] = issuanceMigrations[kind];
      await legacy.getMigrator().up({ to: initial?.name as string });
      await legacy.em.fork().getConnection().execute(
        `insert into issued_credential (serial, id, achievement_id, kind, learner_id, member_id, offering_id, title, issuer_kid, issued_at, jwt, issued_by) values (41, 'urn:uuid:legacy', 'tuni.fi:ach-legacy', 'PARTICIPATION', 'learner-1', 'tuni.fi', 'tuni.fi:mm-1', 'Legacy', 'kid', ?, 'x.y.z', 'staff')`,
        [new Date()],
      );
      await legacy.em.fork().getConnection().execute(
        `insert into idempotency_record (subject, key, fingerprint, credential_serial, created_at) values ('learner-1', 'legacy-key-0001', 'f', 41, ?)`,
        [new Date()],
      );
      await legacy.getMigrator().up();
      // A key recorded before keys were scoped to the whole caller belongs to no caller now.
      expect(await legacy.em.fork().count(IdempotencyRecord, { key: 'legacy-key-0001', caller: '' })).toBe(1);
      expect(await reserveSerials(legacy.em.fork() as SqlEntityManager, 5)).toBe(42);
      expect(await reserveSerials(legacy.em.fork() as SqlEntityManager, 1)).toBe(47);
    } finally {
      await legacy.close(true);
      await old.drop();
    }
  });

  it('verifies what it stored, then reports it revoked once the database says so', async () => {
    const [row] = await storeCredentials(em(), dependencies(keys), [item('tuni.fi:ach-verify')], 'staff');
    const statuses = new StatusLists(orm, issuer, keys);
    const deps = { register: new TrustRegister(orm), keys, issuer, statuses, validator: createVerificationValidator(), authority: fixtureAuthority };
    expect((await verifyCredential(row!.jwt, deps)).checks.filter((check) => !check.passed)).toEqual([]);
    await em().nativeUpdate(IssuedCredential, { serial: row!.serial }, { revokedAt: new Date(), revokedBy: 'staff', revocationReason: 'test' });
    statuses.invalidate(row!.serial);
    const result = await verifyCredential(row!.jwt, deps);
    expect(result.checks.find((check) => check.check === 'revocation')).toMatchObject({ passed: false, reason: 'revoked' });
  });

  it('answers for status lists that hold credentials only, and says so of any other', async () => {
    const statuses = new StatusLists(orm, issuer, keys);
    expect(await statuses.isSet('revocation', 0, 0)).toBe(false);
    expect(await statuses.isSet('revocation', 7, 0)).toBeNull();
    expect(await statuses.sealedList('suspension', 999_999)).toBeNull();
    // A credential sealed with the alliance's key that names a list nobody issued into cannot pass as "not revoked".
    const [row] = await storeCredentials(em(), dependencies(keys), [item('tuni.fi:ach-far-list')], 'staff');
    const credential = readUnverified(row!.jwt).credential as { credentialStatus: Record<string, string>[] };
    const entries = credential.credentialStatus.map((entry) => ({ ...entry, statusListCredential: entry['statusListCredential']!.replace(/\/\d+$/, '/7') }));
    const forged = await new CompactSign(Buffer.from(JSON.stringify({ ...credential, credentialStatus: entries })))
      .setProtectedHeader({ alg: 'ES256', typ: 'vc+jwt', cty: 'vc', kid: keys.current.kid })
      .sign(keys.signingKey);
    const result = await verifyCredential(forged, { register: new TrustRegister(orm), keys, issuer, statuses, validator: createVerificationValidator() });
    expect(result.checks.find((check) => check.check === 'revocation')).toMatchObject({ passed: false, reason: expect.stringMatching(/holds no credential this hub issued/) });
  });
});
