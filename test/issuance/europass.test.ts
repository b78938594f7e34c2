import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import jsonld from 'jsonld';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlEntityManager } from '../../lib/orm.js';
import { openIssuanceDatabase } from '../../subgraphs/issuance/database.js';
import { buildCredential, toEuropassForm } from '../../subgraphs/issuance/edc.js';
import { europassJades } from '../../subgraphs/issuance/europass.js';
import { storeCredentials } from '../../subgraphs/issuance/issue.js';
import { addIssuerKey, loadIssuerKeys } from '../../subgraphs/issuance/keys.js';
import { createCredentialValidator } from '../../subgraphs/issuance/schemas.js';
import { allianceIssuer } from '../../subgraphs/issuance/server.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { asLearner, bearer } from '../helpers/tokens.js';
import { all, authorityOf, type PassedAchievement } from './demo-achievements.js';
import { FIXTURES, FULL } from './fixtures.js';
import { offlineLoader } from './jsonld-loader.js';

/*
 * The Europass form (issue 15 points 2, 5 and 6): the EBSI Europass EDC schema
 * as published - the file in ../shared/credentials, unmodified - passes it; it
 * is sealed as JAdES once and kept; the portal exports it in one call; it
 * verifies like the vc+jwt, status lists included.
 */

const strict = createCredentialValidator();

describe('the EBSI Europass EDC schema, as published', () => {
  it.each(Object.entries(FIXTURES))('passes the Europass form of the %s credential, W3C schema too', (_name, facts) => {
    const europass = toEuropassForm(buildCredential(facts));
    expect(strict.validate(europass)).toMatchObject({ valid: true, errors: [], w3c: true, ebsi: true, ebsiAsPublished: true });
  });

  it("passes with the issuer's legal identifier stated too (ISSUER_LEGAL_IDENTIFIER, which ELM's shapes require)", () => {
    const facts = { ...FULL, issuer: { ...FULL.issuer, legalIdentifier: 'KVK 12345678' } };
    const europass = toEuropassForm(buildCredential(facts));
    expect((europass['issuer'] as Record<string, any>)['eIDASIdentifier']).toMatchObject({ type: 'LegalIdentifier', notation: 'KVK 12345678', spatial: { id: 'http://publications.europa.eu/resource/authority/country/BEL' } });
    expect(strict.validate(europass)).toMatchObject({ valid: true, ebsiAsPublished: true });
  });

  it('cannot pass a Bitstring entry even next to a conforming one: it checks every item of the array', () => {
    const credential = buildCredential(FULL);
    const [bitstring] = credential['credentialStatus'] as Record<string, unknown>[];
    const both = { ...credential, credentialStatus: [{ id: bitstring?.['id'], type: 'CredentialStatus' }, bitstring] };
    const result = strict.validate(both);
    expect(result.ebsi).toBe(false);
    expect(result.errors.every((line) => line.startsWith('EBSI /credentialStatus/1'))).toBe(true);
  });

  it('differs from the credential of record in the status entries only, which name the same bits', () => {
    const credential = buildCredential(FULL);
    const europass = toEuropassForm(credential);
    const { credentialStatus: mine, ...rest } = europass;
    const { credentialStatus: original, ...same } = credential;
    expect(rest).toEqual(same);
    expect(mine).toEqual((original as { id: string }[]).map((entry) => ({ id: entry.id, type: 'CredentialStatus' })));
  });

  it('expands without loss like the credential of record', async () => {
    await expect(jsonld.expand(toEuropassForm(buildCredential(FULL)) as never, { documentLoader: offlineLoader, safe: true } as never)).resolves.toHaveLength(1);
  });
});

describe('the JAdES seal of a stored credential', () => {
  let dir: string;
  let orm: MikroORM;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'europass-'));
    orm = await openIssuanceDatabase({ kind: 'sqlite', location: join(dir, 'issuance.sqlite') });
  });
  afterAll(async () => {
    await orm?.close(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('is made once and kept (the same signing time on every fetch), and made again only after the key is rotated', async () => {
    const keysDir = join(dir, 'keys');
    await addIssuerKey(keysDir, new Date(Date.now() - 60_000));
    const keys = await loadIssuerKeys(keysDir, { create: false });
    const em = () => orm.em.fork() as SqlEntityManager;
    const [row] = await storeCredentials(em(), { sources: null as never, keys, issuer: allianceIssuer('https://hub.example') }, [{ facts: FULL, request: { achievementId: FULL.achievement.id, kind: 'MICRO_CREDENTIAL' }, idempotency: null }], 'staff');
    const first = await europassJades(em(), keys, row!, new Date('2026-12-01T10:00:00Z'));
    const again = await Promise.all([europassJades(em(), keys, row!, new Date('2026-12-02T10:00:00Z')), europassJades(em(), keys, row!)]);
    expect(again).toEqual([first, first]);
    const header = (document: string) => JSON.parse(Buffer.from((JSON.parse(document) as { signatures: { protected: string }[] }).signatures[0]!.protected, 'base64url').toString('utf8')) as { kid: string; sigT: string };
    expect(header(first)).toMatchObject({ kid: keys.current.kid, sigT: '2026-12-01T10:00:00Z' });

    await addIssuerKey(keysDir);
    const rotated = await loadIssuerKeys(keysDir, { create: false });
    const resealed = await europassJades(em(), rotated, row!, new Date('2026-12-03T10:00:00Z'));
    expect(header(resealed)).toMatchObject({ kid: rotated.current.kid, sigT: '2026-12-03T10:00:00Z' });
    expect(await europassJades(em(), rotated, row!)).toBe(resealed);
  });
});

describe('the one-click Europass export through the graph', () => {
  let hub: TestHub;
  const item = all((candidate) => authorityOf(candidate.memberId) === 'MICRO_CREDENTIALS_ONLY' && candidate.offering.creditBearing)[3] as PassedAchievement;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('gives the learner the JAdES file Europass imports, which verifies, passes the EBSI schema as published, and follows the status lists', async () => {
    const learner = await asLearner(hub.hub, item.learnerId);
    const issued = await hub.query(`mutation ($id: ID!) { issueCredential(input: { achievementId: $id }) { credential { id jades europass { fileName mediaType content } } } }`, { id: item.achievement.id }, learner);
    expect(issued.body.errors).toBeUndefined();
    const credential = issued.body.data?.['issueCredential'].credential as { id: string; jades: string; europass: { fileName: string; mediaType: string; content: string } };
    expect(credential.europass).toMatchObject({ mediaType: 'application/jose+json', fileName: expect.stringMatching(/-signed\.jsonld$/) });
    expect(credential.europass.content).toBe(credential.jades);
    const payload = JSON.parse((JSON.parse(credential.jades) as { payload: string }).payload) as Record<string, unknown>;
    expect(strict.validate(payload)).toMatchObject({ valid: true, ebsiAsPublished: true });

    const verify = async () => {
      const response = await fetch(hub.gatewayUrl.replace(/\/graphql$/, '/credentials/verify'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verifiableCredential: JSON.parse(credential.jades) }) });
      return (await response.json()) as { verified: boolean; format: string; checks: { check: string; passed: boolean; reason: string }[] };
    };
    const result = await verify();
    expect(result).toMatchObject({ verified: true, format: 'jades' });
    expect(result.checks.find((check) => check.check === 'schema')?.reason).toMatch(/as published$/);
    // The same status bit governs the Europass form.
    const staff = await bearer(hub.hub, { role: 'member-staff', memberId: item.memberId });
    await hub.query(`mutation ($id: ID!) { suspendCredential(id: $id, reason: "Under review.") { status } }`, { id: credential.id }, staff);
    expect((await verify()).checks.find((check) => check.check === 'suspension')).toMatchObject({ passed: false, reason: 'suspended' });
    // Asked for again, the seal is the one made before.
    const again = await hub.query(`query ($id: ID!) { credential(id: $id) { jades } }`, { id: credential.id }, learner);
    expect(again.body.data?.['credential'].jades).toBe(credential.jades);
  });

  it('shows a person what the credential says and every check on the verification page, with its own assets only', async () => {
    const page = `${hub.gatewayUrl.replace(/\/graphql$/, '')}/credentials/verification`;
    const empty = await fetch(page);
    expect(empty.status).toBe(200);
    const form = await empty.text();
    // Nothing from elsewhere: every asset the page names is the hub's own, and reachable.
    const assets = [...form.matchAll(/(?:href|src)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset.startsWith('/credentials/verification/assets/')).toBe(true);
      expect((await fetch(new URL(asset, page))).status).toBe(200);
    }
    // Not the credential the test above suspended.
    const shownItem = all((candidate) => authorityOf(candidate.memberId) === 'MICRO_CREDENTIALS_ONLY' && candidate.offering.creditBearing)[4] as PassedAchievement;
    const learner = await asLearner(hub.hub, shownItem.learnerId);
    const { body } = await hub.query(`mutation ($id: ID!) { issueCredential(input: { achievementId: $id }) { credential { jades vcJwt } } }`, { id: shownItem.achievement.id }, learner);
    const { jades, vcJwt } = body.data?.['issueCredential'].credential as { jades: string; vcJwt: string };
    const submit = (credential: string) => fetch(page, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ credential }) });
    for (const credential of [jades, vcJwt]) {
      const shown = await (await submit(credential)).text();
      expect(shown).toContain('Verified: every check passed.');
      expect(shown).toContain(shownItem.offering.title.replaceAll('&', '&amp;').replaceAll("'", '&#39;'));
      expect(shown).toMatch(/<td>authority<\/td><td class="ok">passed/);
    }
    // A forged one: the checks say so, and nothing it claims is shown as content.
    const [h, p, s] = vcJwt.split('.') as [string, string, string];
    const forged = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, any>;
    forged['credentialSubject'].fullName = { en: '<script>alert(1)</script>' };
    const refused = await (await submit(`${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`)).text();
    expect(refused).toContain('Not verified');
    expect(refused).not.toContain('<script>alert(1)</script>');
    expect(refused).not.toContain('What it says');
    expect((await submit('hello')).status).toBe(422);
  });

  it('is not given to anyone who may not read the credential', async () => {
    const learner = await asLearner(hub.hub, item.learnerId);
    const issued = await hub.query(`mutation ($id: ID!) { issueCredential(input: { achievementId: $id }) { credential { id } } }`, { id: item.achievement.id }, learner);
    const id = issued.body.data?.['issueCredential'].credential.id as string;
    const other = await hub.query(`query ($id: ID!) { credential(id: $id) { europass { content } } }`, { id }, await bearer(hub.hub, { role: 'analyst' }));
    expect(other.body.data?.['credential'] ?? null).toBeNull();
    expect(other.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});
