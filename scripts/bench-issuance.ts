import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { KeyObject, verify } from 'node:crypto';
import { CompactSign } from 'jose';
import { ConfigError, runMain } from '../lib/config.js';
import { createHttpClient } from '../lib/http-client.js';
import { quietLogger } from '../lib/log.js';
import type { SqlEntityManager } from '../lib/orm.js';
import { generateCatalogues, generateLearner } from '../hub/demo.js';
import { startHub } from '../hub/stack.js';
import { decideIssuance } from '../subgraphs/issuance/accreditation.js';
import { routerAuthoritySource } from '../subgraphs/issuance/authority.js';
import { openIssuanceDatabase } from '../subgraphs/issuance/database.js';
import { buildCredential } from '../subgraphs/issuance/edc.js';
import { credentialFacts, storeCredentials, type PreparedIssue } from '../subgraphs/issuance/issue.js';
import { loadIssuerKeys } from '../subgraphs/issuance/keys.js';
import { createSealPool } from '../subgraphs/issuance/seal-pool.js';
import type { IssuedCredential } from '../subgraphs/issuance/records.js';
import { syncRegister, TrustRegister } from '../subgraphs/issuance/register.js';
import { createVerificationValidator } from '../subgraphs/issuance/schemas.js';
import { allianceIssuer } from '../subgraphs/issuance/server.js';
import { FactsUnavailable, readAchievementFacts } from '../subgraphs/issuance/sources.js';
import { StatusLists } from '../subgraphs/issuance/statuses.js';
import { verifyCredential } from '../subgraphs/issuance/verify.js';
import { createVerifyPool } from '../subgraphs/issuance/verify-pool.js';

const HELP = `Usage: npm run bench:issuance -- [--learners <n>] [--batch <n>] [--verify <n>]

Measures bulk issuance as the issuance service does it, on the embedded
default (SQLite) in a fresh temporary folder:
  1. reading the facts of every passed achievement of <learners> demo
     learners from their members, through the member router (100 per call);
  2. issuing: writing each credential (EDC), sealing it (ES256 vc+jwt) and
     storing it, <batch> per transaction, two batches in flight as a cohort
     job has them - credentials per second;
  3. the raw jose ES256 signing rate on the same payloads, in the same run;
  4. verifying <verify> of the issued credentials (every check, schema included),
     inline one at a time, then as the service does: on worker threads,
     64 at a time;
  5. the floors: each step issuing or verifying cannot skip, timed alone on
     the same credentials on one core (writing EDC, JSON text, jose sealing;
     decoding + JSON.parse, ECDSA verify, both schemas), and the most
     credentials per second they allow on this machine's cores if nothing
     else (storing, threads, the event loop) cost anything.
Prints figures and whether the targets are met; asserts nothing.

Targets (issue 4): issuing >= 2,000 credentials/s and >= 1/3 of the raw signing
rate; verifying >= 5,000/s.
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      learners: { type: 'string', default: '2000' },
      batch: { type: 'string', default: '500' },
      verify: { type: 'string', default: '5000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const [learners, batch, verifyCount] = [values.learners, values.batch, values.verify].map(Number) as [number, number, number];
  if (![learners, batch, verifyCount].every((n) => Number.isInteger(n) && n > 0)) throw new ConfigError('--learners, --batch and --verify must be positive integers.');
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'issuance-bench-'));
  const client = createHttpClient();
  say(`node ${process.version}, ${learners} demo learners, data in ${dataDir}`);
  const hub = await startHub({ logger: quietLogger('bench'), dataDir, learners });
  const orm = await openIssuanceDatabase({ kind: 'sqlite', location: join(dataDir, 'bench-issuance.sqlite') });
  try {
    // Every passed achievement of the demo learners, by awarding member.
    const catalogues = generateCatalogues();
    const byMember = new Map<string, string[]>();
    for (let index = 0; index < learners; index += 1) {
      for (const account of generateLearner(index, catalogues).accounts) {
        for (const enrolment of account.enrolments) {
          if (enrolment.achievement?.passed) byMember.set(account.memberId, [...(byMember.get(account.memberId) ?? []), enrolment.achievement.id]);
        }
      }
    }
    const sources = { client, signer: hub.hubSigner, membersUrl: hub.urls.members, escoUrl: hub.urls.esco, timeoutMs: 30_000 };
    let started = performance.now();
    const prepared: PreparedIssue[] = [];
    for (const [memberId, ids] of byMember) {
      const staff = { kind: 'user' as const, subject: `bench@${memberId}`, roles: ['member-staff' as const], memberId };
      for (let offset = 0; offset < ids.length; offset += 100) {
        const facts = await readAchievementFacts(sources, staff, ids.slice(offset, offset + 100));
        for (const [id, found] of facts) {
          if (found instanceof FactsUnavailable) continue;
          // Participation certificates need no accreditation, so every passed achievement counts.
          if (decideIssuance(found, 'PARTICIPATION').allowed) prepared.push({ facts: found, request: { achievementId: id, kind: 'PARTICIPATION' }, idempotency: null });
        }
      }
    }
    const readSeconds = (performance.now() - started) / 1000;
    say(`read the facts of ${prepared.length} passed achievements from ${byMember.size} members in ${readSeconds.toFixed(2)} s (${Math.round(prepared.length / readSeconds)}/s, through the router)`);

    const keys = await loadIssuerKeys(join(dataDir, 'bench-keys'), { create: true });
    const issuer = allianceIssuer('https://hub.example');
    await syncRegister(orm, issuer, keys, []);
    const workers = Math.max(1, availableParallelism());
    const pool = createSealPool(workers, { privateKeyPath: keys.privateKeyPath, kid: keys.current.kid });
    const dependencies = { sources, keys, issuer, pool };
    started = performance.now();
    // As a cohort job stores its pages: in order, two in flight (one sealed while the other is stored).
    const batches: Promise<IssuedCredential[]>[] = [];
    for (let offset = 0; offset < prepared.length; offset += batch) {
      if (batches.length >= 2) await batches[batches.length - 2];
      const stored = storeCredentials(orm.em.fork() as SqlEntityManager, dependencies, prepared.slice(offset, offset + batch), 'bench');
      stored.catch(() => undefined);
      batches.push(stored);
    }
    const issued = (await Promise.all(batches)).flat();
    const issueSeconds = (performance.now() - started) / 1000;
    const issueRate = issued.length / issueSeconds;
    const bytes = issued.reduce((sum, credential) => sum + credential.jwt.length, 0) / issued.length;
    await pool.close();
    say(`issued ${issued.length} credentials (write EDC + seal ES256 on ${workers} worker threads + store, ${batch} per transaction, 2 batches in flight) in ${issueSeconds.toFixed(2)} s: ${Math.round(issueRate)} credentials/s, ${Math.round(bytes / 1024)} KB each`);

    // Raw signing of the same payloads with the same key: the ceiling issuance is measured against.
    const payloads = issued.map((credential) => Buffer.from(credential.jwt.split('.')[1] as string, 'base64url'));
    started = performance.now();
    for (const payload of payloads) {
      await new CompactSign(payload).setProtectedHeader({ alg: 'ES256', typ: 'vc+jwt', cty: 'vc', kid: keys.current.kid }).sign(keys.signingKey);
    }
    const signRate = payloads.length / ((performance.now() - started) / 1000);
    say(`raw jose ES256 signing of the same payloads: ${Math.round(signRate)} signatures/s`);

    const statuses = new StatusLists(orm, issuer, keys);
    const verification = { register: new TrustRegister(orm), keys, issuer, statuses, validator: createVerificationValidator(), authority: routerAuthoritySource(sources) };
    const sample = Array.from({ length: verifyCount }, (_, index) => (issued[index % issued.length] as IssuedCredential).jwt);
    await verifyCredential(sample[0] as string, verification);
    started = performance.now();
    let failed = 0;
    for (const jwt of sample) if (!(await verifyCredential(jwt, verification)).verified) failed += 1;
    const inlineRate = sample.length / ((performance.now() - started) / 1000);
    say(`verified ${sample.length} credentials inline, one at a time (signature, trusted issuer, status lists, validity, both schemas): ${Math.round(inlineRate)}/s${failed ? `, ${failed} NOT verified` : ''}`);

    // As the service verifies: signature and schemas on worker threads, many requests at once.
    const verifyPool = createVerifyPool(workers, { jwks: [...keys.jwks.keys] });
    const pooled = { ...verification, pool: verifyPool };
    await Promise.all(sample.slice(0, 200).map((jwt) => verifyCredential(jwt, pooled)));
    started = performance.now();
    failed = 0;
    const inFlight = 64;
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < sample.length) {
          const jwt = sample[next++] as string;
          if (!(await verifyCredential(jwt, pooled)).verified) failed += 1;
        }
      }),
    );
    const verifyRate = sample.length / ((performance.now() - started) / 1000);
    await verifyPool.close();
    say(`verified ${sample.length} credentials on ${workers} worker threads, ${inFlight} at a time (as the service does): ${Math.round(verifyRate)}/s${failed ? `, ${failed} NOT verified` : ''}`);

    // The floors: steps neither path can skip, each timed alone over the same credentials on
    // this thread. Their sum per credential, spread over every core with nothing else to do,
    // is the most any implementation of the same steps reaches here.
    const floorSample = issued.slice(0, Math.min(issued.length, 2000));
    const timed = (work: (credential: IssuedCredential, index: number) => unknown): number => {
      const begun = performance.now();
      floorSample.forEach((credential, index) => work(credential, index));
      return (performance.now() - begun) / floorSample.length;
    };
    // storeCredentials returns the credentials in the order of the items it was given.
    const issuedFacts = floorSample.map((credential, index) => {
      const item = prepared[index] as PreparedIssue;
      return credentialFacts(item.facts, item.request.kind, { credentialId: credential.id, serial: credential.serial, issuedAt: credential.issuedAt, issuer });
    });
    const buildMs = timed((_, index) => buildCredential(issuedFacts[index] as Parameters<typeof buildCredential>[0]));
    const built = issuedFacts.map((facts) => buildCredential(facts));
    const encoder = new TextEncoder();
    const textMs = timed((_, index) => encoder.encode(JSON.stringify(built[index])));
    const jsonMs = timed((credential) => JSON.parse(Buffer.from(credential.jwt.split('.')[1] as string, 'base64url').toString('utf8')));
    const publicKey = KeyObject.from((await keys.publicKey(keys.current.kid)) as Parameters<typeof KeyObject.from>[0]);
    const ecdsaMs = timed((credential) => {
      const dot = credential.jwt.lastIndexOf('.');
      verify('sha256', Buffer.from(credential.jwt.slice(0, dot)), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(credential.jwt.slice(dot + 1), 'base64url'));
    });
    const parsed = floorSample.map((credential) => JSON.parse(Buffer.from(credential.jwt.split('.')[1] as string, 'base64url').toString('utf8')) as unknown);
    const schemaMs = timed((_, index) => verification.validator.validate(parsed[index]));
    const signMs = 1000 / signRate;
    const cores = availableParallelism();
    const ceiling = (ms: number) => Math.round((1000 / ms) * cores);
    say('');
    say(`floors on one core, over ${floorSample.length} of these credentials (ms per credential):`);
    const issueFloor = buildMs + textMs + signMs;
    say(`  writing EDC ${buildMs.toFixed(3)} + JSON text ${textMs.toFixed(3)} + jose ES256 sealing ${signMs.toFixed(3)} = ${issueFloor.toFixed(3)} ms: issuing can reach at most ${ceiling(issueFloor)}/s on ${cores} cores, storing aside`);
    say(`  decoding + JSON.parse ${jsonMs.toFixed(3)} + ECDSA P-256 verify ${ecdsaMs.toFixed(3)} + both schemas ${schemaMs.toFixed(3)} = ${(jsonMs + ecdsaMs + schemaMs).toFixed(3)} ms: verifying can reach at most ${ceiling(jsonMs + ecdsaMs + schemaMs)}/s on ${cores} cores`);

    say('');
    say(`issuing  >= 2,000/s:              ${issueRate >= 2000 ? 'met' : 'NOT met'} (${Math.round(issueRate)}/s)`);
    say(`issuing  >= 1/3 of raw signing:   ${issueRate >= signRate / 3 ? 'met' : 'NOT met'} (${((issueRate / signRate) * 100).toFixed(0)}% of ${Math.round(signRate)}/s)`);
    say(`verifying >= 5,000/s:             ${verifyRate >= 5000 ? 'met' : 'NOT met'} (${Math.round(verifyRate)}/s)`);
  } finally {
    await orm.close(true);
    await hub.stop();
    await client.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runMain(main);
