// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { auditedWrites } from '../../lib/audited-writes.js';
import { credentialPayload, LEARNER_URN_PREFIX, readEdcClaim } from '../../lib/edc-reader.js';
import { badUserInput } from '../../lib/errors.js';
import { requestIdempotencyKey } from '../../lib/idempotency.js';
import { UUID_PATTERN } from '../../lib/ids.js';
import type { ProficiencyLevel } from '../member/enums.js';
import type { PassportContext } from './context.js';
import { credentialsBundle, elmDocument, exportFile } from './export.js';
import { AddPassportCredentialPayload, Learner, Passport, PassportCredential, PassportEvidenceKind, PassportExport, PassportExportFormat, type SkillEvidence } from './model.js';
import { readEvidence, readSealed } from './reader.js';
import { PassportAudit, PassportCredential as CredentialRow, PassportIdempotency } from './records.js';
import { buildPassport, type SkillEvidenceView } from './skills.js';
import { call } from './sources.js';

/** The most text an external credential may have (the official EDC sample is 150 KB). */
const MAX_CREDENTIAL_LENGTH = 1_000_000;
const ESCO_SKILL = 'http://data.europa.eu/esco/skill/';
const writes = () => auditedWrites(PassportAudit, PassportIdempotency);

const VERIFY = /* GraphQL */ `query PassportAdd($c: String!) { verifyCredential(credential: $c) { verified format credentialId issuer checks { check passed reason } } }`;

function credentialView(row: CredentialRow): PassportCredential {
  return {
    id: row.id,
    title: row.title,
    awardingBody: row.awardingBody,
    format: row.format,
    credentialId: row.credentialId ?? null,
    issuer: row.issuerId ?? null,
    ects: row.ects,
    eqfLevel: row.eqfLevel ?? null,
    gainedOn: row.gainedOn,
    skills: row.skillList ? row.skillList.split(',').map((uri) => ({ uri })) : [],
    addedAt: row.addedAt,
  };
}

function evidenceView(entry: SkillEvidenceView, externals: ReadonlyMap<string, CredentialRow>): SkillEvidence {
  const item = entry.evidence;
  const common = { level: (entry.level as ProficiencyLevel | null) ?? null, eqfLevel: item.eqfLevel ?? null, ects: item.ects, counts: entry.counts, reason: entry.reason };
  if (item.kind === 'ACHIEVEMENT') {
    return {
      ...common,
      kind: PassportEvidenceKind.ACHIEVEMENT,
      title: item.title,
      achievement: { id: item.id },
      institution: { id: item.memberId },
      awardingBody: null,
      externalCredential: null,
      date: item.assessedOn,
      credentialId: item.credential?.id ?? null,
      credentialStatus: item.credential?.status ?? null,
      recognition: item.recognition ? { id: item.recognition.id } : null,
    };
  }
  const row = externals.get(item.id);
  return {
    ...common,
    kind: PassportEvidenceKind.EXTERNAL_CREDENTIAL,
    title: item.title,
    achievement: null,
    institution: null,
    awardingBody: item.awardingBody,
    externalCredential: row ? credentialView(row) : null,
    date: item.gainedOn,
    credentialId: null,
    credentialStatus: null,
    recognition: null,
  };
}

@Resolver(() => Learner)
export class LearnerPassportResolver {
  @FieldResolver(() => Passport, {
    nullable: true,
    description:
      "The learner's competence passport across all members: every ESCO skill they have evidence for, with the level reached, the evidence, the ESCO groups and pillars above it, and a time line (the learner; those the learner's grants share achievements with see what the members let them). Five calls to other subgraphs, however many achievements.",
  })
  async passport(@Root() learner: Learner, @Ctx() context: PassportContext): Promise<Passport> {
    const read = await readEvidence(context.service, context.principal, learner.id);
    const view = buildPassport(read.evidence, read.facts);
    const externals = new Map(read.externals.map((row) => [row.id, row]));
    return {
      skillCount: view.skillCount,
      ects: view.ects,
      skills: view.skills.map((skill) => ({
        skill: { uri: skill.uri },
        label: skill.label,
        level: (skill.level as ProficiencyLevel | null) ?? null,
        eqfLevel: skill.eqfLevel,
        firstGainedOn: skill.firstGainedOn,
        counts: skill.counts,
        evidence: skill.evidence.map((entry) => evidenceView(entry, externals)),
      })),
      groups: view.groups.map((group) => ({ group: { uri: group.uri }, code: group.code, label: group.label, pillar: { uri: group.pillarUri }, skillCount: group.skillCount, ects: group.ects })),
      pillars: view.pillars.map((group) => ({ group: { uri: group.uri }, code: group.code, label: group.label, pillar: { uri: group.pillarUri }, skillCount: group.skillCount, ects: group.ects })),
      timeline: view.timeline.map((month) => ({ month: month.month, skillsGained: month.skills.length, skills: month.skills.map((uri) => ({ uri })) })),
      externalCredentials: read.externals.map(credentialView),
      unavailableMembers: read.unavailable.map((id) => ({ id })),
    };
  }
}

@Resolver(() => Learner)
export class LearnerPassportExportResolver {
  @FieldResolver(() => PassportExport, {
    nullable: true,
    description:
      "The competence passport as a file: ELM JSON-LD of the evidence that counts, or the bundle of the learner's sealed credentials. Read as `passport` is, by the same callers (those the learner's grants share achievements with get the ELM file of what they may see, and an empty bundle: credentials are the learner's). ELM_JSONLD costs what `passport` costs; CREDENTIALS_BUNDLE two calls (three with external credentials).",
  })
  async passportExport(
    @Root() learner: Learner,
    @Arg('format', () => PassportExportFormat) format: PassportExportFormat,
    @Ctx() context: PassportContext,
  ): Promise<PassportExport> {
    const now = context.service.now();
    if (format === PassportExportFormat.ELM_JSONLD) {
      const read = await readEvidence(context.service, context.principal, learner.id);
      return { format, ...exportFile(format, elmDocument(learner.id, read.evidence, read.facts), now) };
    }
    const sealed = await readSealed(context.service, context.principal, learner.id);
    return { format, ...exportFile(format, credentialsBundle(learner.id, sealed, now), now) };
  }
}

function actingLearner(context: PassportContext, what: string): SignedIn & { learnerId: string } {
  const caller = requireSignedIn(context.principal, what);
  if (!hasRole(caller, 'learner') || !caller.learnerId) throw forbidden(`Only a learner can ${what}.`);
  return caller as SignedIn & { learnerId: string };
}

interface Checked {
  format: string;
  credentialId: string | null;
  issuer: string | null;
  title: string;
  awardingBody: string;
  ects: number;
  eqfLevel: number | null;
  gainedOn: string | null;
  skills: string[];
}

/** Verifies the credential through the issuance service and reads what the passport shows of it; refuses what does not verify or is someone else's. */
async function checkedCredential(context: PassportContext, caller: SignedIn & { learnerId: string }, document: string): Promise<Checked> {
  const answer = await call(context.service.sources, 'issuance', caller, VERIFY, { c: document }, 'nothing was added');
  const result = answer.data?.['verifyCredential'] as { verified: boolean; format: string; credentialId: string | null; issuer: string | null; checks: { check: string; passed: boolean; reason: string }[] } | null | undefined;
  if (!result) throw badUserInput(`"credential" is not a credential the hub can verify${answer.errors?.[0] ? `: ${answer.errors[0].message.replace(/^"credential" /, '')}` : ''}.`, 'credential');
  if (!result.verified) {
    const failed = result.checks.filter((check) => !check.passed).map((check) => `${check.check} (${check.reason})`);
    throw new GraphQLError(`The credential does not verify, so it was not added: ${failed.join('; ')}.`, { extensions: { code: 'EVIDENCE_NOT_ACCEPTED', argument: 'credential' } });
  }
  const payload = credentialPayload(document);
  const claim = payload ? readEdcClaim(payload) : null;
  if (!claim) throw badUserInput('"credential" verifies but states no claim (credentialSubject.hasClaim) a passport can show.', 'credential');
  // A hub credential names its learner: it may go into that learner's passport only.
  if (claim.subjectId?.startsWith(LEARNER_URN_PREFIX) && claim.subjectId !== `${LEARNER_URN_PREFIX}${caller.learnerId}`) {
    throw forbidden('This credential was issued to another learner; only your own credentials go into your passport.');
  }
  return {
    format: result.format,
    credentialId: result.credentialId,
    issuer: result.issuer,
    title: claim.title,
    awardingBody: claim.awardingBodyName,
    ects: claim.ects,
    eqfLevel: claim.eqfLevel,
    gainedOn: claim.assessedOn,
    skills: claim.skills.filter((uri) => uri.startsWith(ESCO_SKILL)).slice(0, 200),
  };
}

@Resolver(() => PassportCredential)
export class PassportCredentialResolver {
  @Mutation(() => AddPassportCredentialPayload, {
    description:
      'Adds an external credential (a vc+jwt, or EDC JAdES JSON as a string) to your passport (learners). It is verified first (every check must pass) and again whenever the passport is read; adding the same credential again keeps one entry.',
  })
  async addPassportCredential(
    @Arg('credential', () => String, { description: `The sealed credential; at most ${MAX_CREDENTIAL_LENGTH.toLocaleString('en')} characters.` }) credential: string,
    @Ctx() context: PassportContext,
    @Arg('clientKey', () => String, { nullable: true, description: 'An idempotency key (or the Idempotency-Key header).' }) clientKey?: string | null,
  ): Promise<AddPassportCredentialPayload> {
    const caller = actingLearner(context, 'add credentials to their passport');
    const document = credential.trim();
    if (document.length === 0 || document.length > MAX_CREDENTIAL_LENGTH) throw badUserInput(`"credential" must be 1 to ${MAX_CREDENTIAL_LENGTH} characters.`, 'credential');
    const digest = createHash('sha256').update(document).digest('hex');
    const key = requestIdempotencyKey(context.idempotencyKey, clientKey ?? null);
    const existing = await context.em.findOne(CredentialRow, { learnerId: caller.learnerId, digest });
    if (existing) return { created: false, credential: credentialView(existing) };
    const now = context.service.now();
    const added = writes().idempotentWrite(
      context.em,
      caller,
      {
        operation: 'addPassportCredential',
        request: digest,
        key,
        prepare: () => checkedCredential(context, caller, document),
        write: async (tx, checked) => {
          const row = Object.assign(new CredentialRow(), {
            id: randomUUID(),
            learnerId: caller.learnerId,
            document,
            digest,
            ...checked,
            credentialId: checked.credentialId?.slice(0, 500) ?? null,
            issuerId: checked.issuer?.slice(0, 500) ?? null,
            gainedOn: checked.gainedOn ?? now.toISOString().slice(0, 10),
            skillList: checked.skills.join(','),
            addedAt: now,
          });
          tx.persist(row);
          writes().audit(tx, caller, 'addPassportCredential', { type: 'PassportCredential', id: row.id }, null, { ...row, document: `sha256:${digest}` }, now);
          return row.id;
        },
        answer: async (id) => credentialView(await context.em.fork().findOneOrFail(CredentialRow, { id, learnerId: caller.learnerId })),
      },
      now,
    );
    try {
      const { value, replayed } = await added;
      return { created: !replayed, credential: value };
    } catch (error) {
      // A concurrent request added the same credential first: it is in the passport once.
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const winner = await context.em.fork().findOne(CredentialRow, { learnerId: caller.learnerId, digest });
      if (!winner) throw error;
      return { created: false, credential: credentialView(winner) };
    }
  }

  @Mutation(() => Boolean, { description: 'Removes an external credential from your passport (learners). False when it was not there (removed before).' })
  async removePassportCredential(@Arg('id', () => ID) id: string, @Ctx() context: PassportContext): Promise<boolean> {
    const caller = actingLearner(context, 'remove credentials from their passport');
    // Someone else's id and one that does not exist answer alike.
    const row = UUID_PATTERN.test(id) ? await context.em.findOne(CredentialRow, { id, learnerId: caller.learnerId }) : null;
    if (!row) return false;
    const now = context.service.now();
    await context.em.fork().transactional(async (tx) => {
      await tx.nativeDelete(CredentialRow, { id: row.id });
      writes().audit(tx, caller, 'removePassportCredential', { type: 'PassportCredential', id: row.id }, { ...row, document: `sha256:${row.digest}` }, null, now);
    });
    return true;
  }
}
