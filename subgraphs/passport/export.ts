import { readFileSync } from 'node:fs';
import { LEARNER_URN_PREFIX } from '../../lib/edc-reader.js';
import { EDC_VC2_CONTEXT_FILE, VC_V2_CONTEXT } from '../issuance/edc-nodes.js';
import { concept, ECTS, en, eqfLevel, ESCO_SKILL_PREFIX, idsUnder, memberOrganisationId, type Node, points, proficiencyLevelConcept, skillConcept } from '../issuance/edc-vocabulary.js';
import type { ReadSealed } from './reader.js';
import { type Evidence, type SkillFacts, whyNot } from './skills.js';

/*
 * The passport as files (issue 12 point 1), built purely from what the
 * passport read (reader.ts), so a file says what the passport says.
 *
 * ELM JSON-LD: the learner as an ELM Person (the pseudonymous urn only, no
 * names) with one LearningAchievement claim per piece of evidence that counts:
 * its title, the hub's ids (achievement, and the alliance credential when one
 * is in force), the awarding body, the ECTS received, and a specification with
 * the EQF level and one learning outcome per skill (relatedESCOSkill, and the
 * level reached in relatedSkill, as the credentials write it). Evidence that no
 * longer counts (its credential revoked or suspended, an external credential
 * that no longer verifies) is left out: an ELM reader takes every claim as a
 * claim, and ELM has no "does not count" a reader would honour.
 *
 * The document carries the hub's EDC context inline, after the W3C VC 2.0
 * context every JSON-LD processor for credentials bundles: the file reads the
 * same without the hub, and the hub needs no public URL to write it.
 */

export type ExportFormatName = 'ELM_JSONLD' | 'CREDENTIALS_BUNDLE';

export interface ExportFile {
  mediaType: string;
  fileName: string;
  content: string;
}

export const BUNDLE_FORMAT = 'eciu-hub-credentials-bundle';
export const BUNDLE_VERSION = 1;

let hubContext: unknown = null;
/** The hub's EDC context (the one its credentials name), read once. */
function edcContext(): unknown {
  hubContext ??= (JSON.parse(readFileSync(new URL(`../issuance/contexts/${EDC_VC2_CONTEXT_FILE}`, import.meta.url), 'utf8')) as { '@context': unknown })['@context'];
  return hubContext;
}

const day = (date: Date) => date.toISOString().slice(0, 10);
const dayStart = (value: string): string | null => (/^\d{4}-\d{2}-\d{2}/.test(value) ? `${value.slice(0, 10)}T00:00:00Z` : null);

const counts = (item: Evidence) => whyNot(item) === null;

/** The ELM JSON-LD document of the evidence that counts. */
export function elmDocument(learnerId: string, evidence: readonly Evidence[], facts: ReadonlyMap<string, SkillFacts>): Record<string, unknown> {
  const personId = `${LEARNER_URN_PREFIX}${learnerId}`;
  const ids = idsUnder(personId);
  const label = (uri: string) => facts.get(uri)?.label ?? uri;
  // Concepts repeated in many claims are described once and referenced by id after (JSON-LD merges nodes by id).
  const described = new Set<string>();
  const once = (node: Node): Node => {
    const id = node['id'] as string;
    if (described.has(id)) return { id };
    described.add(id);
    return node;
  };
  const outcome = (path: string, uri: string, level: string | null): Node => {
    const levelConcept = level ? once(proficiencyLevelConcept(level as Parameters<typeof proficiencyLevelConcept>[0])) : null;
    const skill = once(skillConcept({ uri, label: label(uri) }));
    const isEsco = uri.startsWith(ESCO_SKILL_PREFIX);
    const related = [...(isEsco ? [] : [skill]), ...(levelConcept ? [levelConcept] : [])];
    return {
      id: ids(path),
      type: 'LearningOutcome',
      title: en(level ? `${label(uri)} (${level.toLowerCase().replaceAll('_', ' ')} level reached)` : label(uri)),
      ...(isEsco ? { relatedESCOSkill: skill } : {}),
      ...(related.length > 0 ? { relatedSkill: related.length === 1 ? related[0] : related } : {}),
    };
  };

  const claims = evidence
    .filter(counts)
    .sort((a, b) => (a.kind === 'ACHIEVEMENT' ? a.assessedOn : a.gainedOn).localeCompare(b.kind === 'ACHIEVEMENT' ? b.assessedOn : b.gainedOn) || a.id.localeCompare(b.id))
    .map((item): Node => {
      const path = `claim/${item.kind === 'ACHIEVEMENT' ? 'achievement' : 'external'}/${item.id}`;
      const date = dayStart(item.kind === 'ACHIEVEMENT' ? item.assessedOn : item.gainedOn);
      const identifiers: Node[] =
        item.kind === 'ACHIEVEMENT'
          ? [
              { id: ids(`${path}/identifier`), type: 'Identifier', notation: item.id, schemeName: 'ECIU hub achievement id' },
              ...(item.credential ? [{ id: ids(`${path}/credential`), type: 'Identifier', notation: item.credential.id, schemeName: 'ECIU alliance credential id' }] : []),
            ]
          : [{ id: ids(`${path}/identifier`), type: 'Identifier', notation: item.id, schemeName: 'ECIU hub passport credential id (an external credential the learner added)' }];
      const awardingBody: Node =
        item.kind === 'ACHIEVEMENT' ? once({ id: memberOrganisationId(item.memberId), type: 'Organisation' }) : { id: ids(`${path}/awarding-body`), type: 'Organisation', legalName: en(item.awardingBody) };
      const skills = item.kind === 'ACHIEVEMENT' ? item.skills.map((skill) => ({ uri: skill.uri, level: skill.level as string | null })) : item.skills.map((uri) => ({ uri, level: null }));
      return {
        id: ids(path),
        type: 'LearningAchievement',
        title: en(item.title),
        identifier: identifiers.length === 1 ? identifiers[0] : identifiers,
        // The member's award is its assessment; a credential's issuing date is the credential's own.
        awardedBy: { id: ids(`${path}/awarding-process`), type: 'AwardingProcess', awardingBody, ...(date ? { awardingDate: date } : {}) },
        ...(item.ects > 0 ? { creditReceived: { id: ids(`${path}/credit`), type: 'CreditPoint', framework: once(concept(ECTS)), point: points(item.ects) } } : {}),
        specifiedBy: {
          id: ids(`${path}/specification`),
          type: 'LearningAchievementSpecification',
          title: en(item.title),
          // Not every achievement is a qualification (ELM's eqfLevel is Qualification's): the generic level property.
          ...(item.eqfLevel ? { educationLevel: once(concept(eqfLevel(item.eqfLevel))) } : {}),
          ...(skills.length > 0 ? { learningOutcome: skills.map((skill, index) => outcome(`${path}/outcome/${index}`, skill.uri, skill.level)) } : {}),
        },
      };
    });

  return {
    '@context': [VC_V2_CONTEXT, edcContext()],
    id: personId,
    type: 'Person',
    ...(claims.length > 0 ? { hasClaim: claims } : {}),
  };
}

export interface BundleEntry {
  /** The credential's id: `urn:uuid:…` for an alliance credential; the passport entry's id for an external one. */
  id: string;
  /** MICRO_CREDENTIAL, PARTICIPATION, PATHWAY (alliance) or EXTERNAL. */
  kind: string;
  /** ACTIVE, SUSPENDED, REVOKED (alliance); VERIFIED or NOT_VERIFIED (external, checked at export). */
  status: string;
  title: string;
  /** "vc+jwt" or "jades". */
  format: string;
  /** The sealed credential as a vc+jwt; null for an external JAdES credential (then `jades`). */
  vcJwt: string | null;
  jades?: string;
  issuedAt?: string;
  credentialId?: string | null;
  reason?: string;
}

/** The credentials bundle: every alliance credential as sealed (revoked ones with their status), then the external credentials as added. */
export function credentialsBundle(learnerId: string, sealed: ReadSealed, now: Date): Record<string, unknown> {
  const credentials: BundleEntry[] = [
    ...[...sealed.credentials]
      .sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.id.localeCompare(b.id))
      .map((credential) => ({ id: credential.id, kind: credential.kind, status: credential.status, title: credential.title, format: 'vc+jwt', vcJwt: credential.vcJwt, issuedAt: credential.issuedAt })),
    ...sealed.externals.map(({ row, failure }): BundleEntry => ({
      id: row.id,
      kind: 'EXTERNAL',
      status: failure === null ? 'VERIFIED' : 'NOT_VERIFIED',
      ...(failure === null ? {} : { reason: failure }),
      title: row.title,
      format: row.format,
      vcJwt: row.format === 'vc+jwt' ? row.document : null,
      ...(row.format === 'vc+jwt' ? {} : { jades: row.document }),
      credentialId: row.credentialId ?? null,
    })),
  ];
  return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, learnerId, exportedAt: now.toISOString(), credentials };
}

/** The file for a format. */
export function exportFile(format: ExportFormatName, document: Record<string, unknown>, now: Date): ExportFile {
  return format === 'ELM_JSONLD'
    ? { mediaType: 'application/ld+json', fileName: `eciu-passport-${day(now)}.jsonld`, content: JSON.stringify(document) }
    : { mediaType: 'application/json', fileName: `eciu-credentials-${day(now)}.json`, content: JSON.stringify(document) };
}
