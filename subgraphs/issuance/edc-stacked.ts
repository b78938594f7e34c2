import { credentialEnvelope, displayParameterNode, issuerNode, organisationNode } from './edc-nodes.js';
import { concept, country, dateTime, ECIU_SCHEME, ECTS, en, eqfLevel, idsUnder, memberOrganisationId, type Node, NOTE_SUBJECT_LABELS, type NoteSubject, points } from './edc-vocabulary.js';
import type { StackedCredentialFacts } from './facts.js';

/*
 * The stacked credential of a completed pathway in the European Learning
 * Model: one LearningAchievement (the pathway) whose `hasPart` holds one
 * LearningAchievement per counted part - the achievement or recognised credit,
 * with its own awarding member, ECTS, assessment date and, where it has one,
 * its own credential's id - so a reader sees what the stack is made of and can
 * verify each part on its own. Pure, like edc.ts.
 *
 *   credentialSubject.hasClaim: LearningAchievement "<pathway>"
 *     ├ awardedBy: AwardingProcess ─ awardingBody: the owning member (or the alliance)
 *     ├ creditReceived: the counted ECTS - only when the owner may approve micro-credentials
 *     ├ specifiedBy: Qualification (credited) or LearningAchievementSpecification: the pathway,
 *     │   its id and version, ECTS range, EQF level, notes on how it stacks
 *     └ hasPart: LearningAchievement per part (identifier: achievement or recognition id,
 *         and the part's credential id), each awarded by its own member
 */

export const PATHWAY_ID_SCHEME = 'ECIU hub pathway id';
export const PART_SCHEMES = { ACHIEVEMENT: 'ECIU hub achievement id', RECOGNITION: 'ECIU hub recognition request id', CREDENTIAL: 'ECIU hub credential id' } as const;

export function buildStackedCredential(facts: StackedCredentialFacts): Record<string, unknown> {
  const { issuer: alliance, learner, awardingBody: owner, pathway } = facts;
  if (facts.parts.length === 0) throw new Error(`Pathway "${pathway.id}" has no counted parts; no stacked credential states it.`);
  if (facts.awardsCredit && !owner) throw new Error('Only a member awards credit in its own name; an alliance pathway awards none of its own.');
  const ids = idsUnder(facts.credentialId);
  const issued = dateTime(facts.issuedAt);
  const issuer = issuerNode(alliance);
  const note = (path: string, text: string, subject?: NoteSubject): Node => ({
    id: ids(path),
    type: 'Note',
    noteLiteral: en(text),
    ...(subject ? { subject: concept({ id: `urn:eciu:note-subject:${subject}`, label: NOTE_SUBJECT_LABELS[subject], scheme: ECIU_SCHEME.noteSubject }) } : {}),
  });
  const credit = (path: string, ects: number): Node => ({ id: ids(path), type: 'CreditPoint', framework: concept(ECTS), point: points(ects) });

  // The awarding body: the owning member, a member of the alliance group; or the alliance itself.
  const ownerId = owner ? memberOrganisationId(owner.id) : alliance.id;
  const awardingBody = owner
    ? organisationNode(ownerId, owner.name, owner.country, owner.homepage, {
        identifier: { id: idsUnder(ownerId)('identifier'), type: 'Identifier', notation: owner.id, schemeName: 'SCHAC home organisation' },
        groupMemberOf: { id: idsUnder(alliance.id)('members'), type: 'Group', prefLabel: en(alliance.name) },
      })
    : { id: alliance.id };
  const awardedBy: Node = { id: ids('awarding-process'), type: 'AwardingProcess', awardingBody, awardingDate: issued };

  // Each part is awarded by its own member: one awarding process per member, described once.
  const memberProcesses = new Map<string, Node>();
  const partProcess = (member: StackedCredentialFacts['parts'][number]['member']): Node => {
    const orgId = memberOrganisationId(member.id);
    const known = memberProcesses.get(member.id);
    // Described once; the EBSI schema still wants a reference to name the awarding body.
    if (known) return { id: known['id'], type: 'AwardingProcess', awardingBody: { id: orgId } };
    const process: Node = {
      id: ids(`part-awarding/${member.id}`),
      type: 'AwardingProcess',
      awardingBody: member.id === owner?.id ? { id: ownerId } : organisationNode(orgId, member.name, member.country, null, {
        identifier: { id: idsUnder(orgId)('identifier'), type: 'Identifier', notation: member.id, schemeName: 'SCHAC home organisation' },
      }),
    };
    memberProcesses.set(member.id, process);
    return process;
  };
  const parts = facts.parts.map((part, index): Node => {
    const path = `achievement/part/${index}`;
    return {
      id: ids(path),
      type: 'LearningAchievement',
      title: en(part.title),
      identifier: { id: ids(`${path}/identifier`), type: 'Identifier', notation: part.id, schemeName: PART_SCHEMES[part.source] },
      // The part's own sealed credential, which a verifier can check on its own (ELM allows one identifier per achievement).
      ...(part.credentialId ? { supplementaryDocument: { id: ids(`${path}/credential`), type: 'WebResource', title: en(PART_SCHEMES.CREDENTIAL), contentURL: part.credentialId } } : {}),
      ...(part.ects > 0 ? { creditReceived: credit(`${path}/credit-received`, part.ects) } : {}),
      awardedBy: partProcess(part.member),
      ...(part.assessedOn ? { additionalNote: note(`${path}/note`, `${part.source === 'RECOGNITION' ? 'Recognised' : 'Assessed'} on ${part.assessedOn} by ${part.member.name}.`) } : {}),
      specifiedBy: {
        id: ids(`${path}/specification`),
        type: 'LearningAchievementSpecification',
        title: en(part.title),
        ...(part.offeringId ? { identifier: { id: ids(`${path}/specification/identifier`), type: 'Identifier', notation: part.offeringId, schemeName: 'ECIU hub offering id' } } : {}),
      },
    };
  });

  const members = [...new Set(facts.parts.map((part) => part.member.name))];
  const creditText = facts.awardsCredit
    ? `${owner?.name} awards the ${points(facts.ectsCounted)} ECTS of this stack in its own name (accreditation authority ${owner?.accreditationAuthority}).`
    : `This stacked credential awards no ECTS credits of its own: its ${points(facts.ectsCounted)} ECTS are those each part awarded, as stated with the part` +
      (owner ? ` (${owner.name}, accreditation authority ${owner.accreditationAuthority}, may not approve credit on its own).` : ' (the alliance awards no credit).');
  const range = pathway.ectsMax === null ? `at least ${points(pathway.ectsMin)}` : `${points(pathway.ectsMin)} to ${points(pathway.ectsMax)}`;
  const notes: Node[] = [
    note('specification/note/stackability', `Stacked credential: ${facts.parts.length} parts from ${members.join(', ')} counted towards pathway "${pathway.name}" (version ${pathway.version}), which asks for ${range} ECTS.`, 'stackability'),
    note('specification/note/credit', creditText, 'credit'),
  ];
  const specification: Node = {
    id: ids('specification'),
    type: facts.awardsCredit ? 'Qualification' : 'LearningAchievementSpecification',
    title: en(pathway.name),
    ...(pathway.description ? { description: en(pathway.description) } : {}),
    identifier: { id: ids('specification/identifier'), type: 'Identifier', notation: pathway.id, schemeName: PATHWAY_ID_SCHEME },
    additionalNote: notes,
    ...(facts.awardsCredit ? { creditPoint: credit('specification/credit-point', facts.ectsCounted) } : {}),
    ...(pathway.eqfLevel ? (facts.awardsCredit ? { eqfLevel: concept(eqfLevel(pathway.eqfLevel)) } : { educationLevel: concept(eqfLevel(pathway.eqfLevel)) }) : {}),
  };
  const claim: Node = {
    id: ids('achievement'),
    type: 'LearningAchievement',
    title: en(pathway.name),
    identifier: { id: ids('achievement/identifier'), type: 'Identifier', notation: pathway.id, schemeName: PATHWAY_ID_SCHEME },
    ...(facts.awardsCredit ? { creditReceived: credit('achievement/credit-received', facts.ectsCounted) } : {}),
    awardedBy,
    specifiedBy: specification,
    hasPart: parts,
  };
  const fullName = `${learner.givenName} ${learner.familyName}`;
  const credentialSubject: Node = {
    id: learner.id,
    type: 'Person',
    fullName: en(fullName),
    givenName: en(learner.givenName),
    familyName: en(learner.familyName),
    ...(learner.email ? { contactPoint: { id: ids('learner/contact-point'), type: 'ContactPoint', emailAddress: { id: `mailto:${learner.email}`, type: 'Mailbox' } } } : {}),
    hasClaim: claim,
  };
  const awarder = owner ? `${owner.name} (${country(owner.country).name})` : alliance.name;
  const displayParameter = displayParameterNode(ids, 'Stacked credential', `has completed the pathway ${pathway.name}`, [
    { text: alliance.name, size: 20, bold: true },
    { text: 'Stacked credential', size: 30, bold: true },
    { text: fullName, size: 24 },
    { text: pathway.name, size: 18 },
    { text: `Awarded by ${awarder}`, size: 16 },
    { text: `${points(facts.ectsCounted)} ECTS from ${facts.parts.length} parts at ${members.length} member${members.length === 1 ? '' : 's'}${facts.awardsCredit ? '' : ' (no credit of its own)'}`, size: 16 },
    { text: `Completed ${facts.completedOn} · issued ${issued.slice(0, 10)}`, size: 14 },
    { text: facts.credentialId, size: 11 },
  ]);
  return credentialEnvelope({
    credentialId: facts.credentialId,
    issuer,
    issued,
    validFrom: dateTime(facts.validFrom),
    validUntil: null,
    credentialSubject,
    status: facts.status,
    displayParameter,
  });
}

