import type { CredentialFacts } from './facts.js';
import { credentialEnvelope, displayParameterNode, issuerNode, organisationNode } from './edc-nodes.js';
import {
  ASSESSMENT_TYPES,
  concept,
  country,
  CYCLES,
  dateTime,
  dayStart,
  ECIU_SCHEME,
  ECTS,
  en,
  eqfLevel,
  ESCO_SKILL_PREFIX,
  idsUnder,
  iscedF,
  LEARNING_SETTINGS,
  memberOrganisationId,
  MICRO_CREDENTIAL_TYPES,
  MODES,
  type Node,
  NOTE_SUBJECT_LABELS,
  type NoteSubject,
  OFFERING_KINDS,
  points,
  PROFICIENCY,
  proficiencyLevelConcept,
  skillConcept,
  SUPERVISION,
  workloadDuration,
} from './edc-vocabulary.js';

export { memberOrganisationId, proficiencyLevelConcept } from './edc-vocabulary.js';
export { CREDENTIAL_TYPES, EDC_VC2_CONTEXT_FILE, edcContextUrl, VC_V2_CONTEXT } from './edc-nodes.js';

/*
 * Writes the facts of a credential in the European Learning Model (ELM 3.2)
 * as a W3C VC 2.0 credential of type EuropeanDigitalCredential, the shape the
 * EDC infrastructure and Europass read. Pure: everything comes from the facts
 * (no clock, no randomness), so building twice gives byte-identical JSON and a
 * retried issuance can be compared with what was stored.
 *
 * Shape, in one picture:
 *   credential ─ issuer: the alliance (Organisation)
 *              ─ credentialSubject: the learner (Person)
 *                  └ hasClaim: LearningAchievement
 *                      ├ awardedBy: AwardingProcess ─ awardingBody: the member (Organisation, its country)
 *                      ├ provenBy: LearningAssessment (grade, idVerification, assessment type, grading scheme)
 *                      ├ specifiedBy: Qualification (the offering: outcomes + ESCO skills with expected
 *                      │   level, ECTS, workload, EQF, ISCED-F, mode, setting, notes); for a certificate
 *                      │   of participation a LearningAchievementSpecification (EQF in educationLevel)
 *                      └ hasPart: one LearningAchievement per acquired ESCO skill, with the level reached
 *              ─ credentialStatus: revocation + suspension (Bitstring Status List v1.0)
 *              ─ displayParameter: an SVG rendering (the EBSI schema requires one image)
 *
 * Annex I (Council Recommendation 2022/C 243/02) elements and where they are:
 *   1 learner ........... credentialSubject (id, givenName, familyName, fullName, identifier, contactPoint)
 *   2 title ............. hasClaim.title, hasClaim.specifiedBy.title, displayParameter.title
 *   3 country ........... awardedBy.awardingBody.location.address.countryCode (and the issuer's)
 *   4 awarding body ..... hasClaim.awardedBy.awardingBody
 *   5 date of issuing ... issued (also validFrom, awardedBy.awardingDate)
 *   6 learning outcomes . specifiedBy.learningOutcome[] (title, relatedESCOSkill, level in relatedSkill)
 *   7 workload .......... specifiedBy.volumeOfLearning (hours) and, when credit-bearing, specifiedBy.creditPoint (ECTS)
 *   8 level ............. specifiedBy.eqfLevel (participation: specifiedBy.educationLevel) + a note with the QF-EHEA cycle
 *   9 assessment type ... provenBy.specifiedBy.dcType
 *  10 participation ..... specifiedBy.mode and specifiedBy.learningSetting
 *  11 quality assurance . specifiedBy.additionalNote (subject "quality assurance")
 *  optional: prerequisites = specifiedBy.entryRequirement; supervision/ID = provenBy.idVerification;
 *  grade = provenBy.grade; stackability = specifiedBy.additionalNote; further information = specifiedBy.homepage.
 */


/** The EDC application profile context as the Commission publishes it (for VC 1.1: it cannot follow the VC 2.0 context). */
export const EDC_CONTEXT = 'http://data.europa.eu/snb/model/context/edc-ap';

// ---------------------------------------------------------------- the credential

/**
 * The Europass form of a credential: the same credential, with its status
 * entries as the EBSI Europass EDC schema admits them. That schema closes
 * `credentialStatus` (one entry or every entry of an array) to
 * `{ id, type: "CredentialStatus" | "TrustedCredentialStatus2021" }`, so no
 * credential holding a W3C Bitstring Status List entry passes it, not even next
 * to a conforming one. Each Bitstring entry becomes a `CredentialStatus` with
 * the same id (`<status list URL>#<index>`): the same bit of the same list
 * decides it, and the hub's verification reads it from either form.
 * Everything else is byte for byte the credential of record.
 */
export function toEuropassForm(credential: Record<string, unknown>): Record<string, unknown> {
  const entries = credential['credentialStatus'];
  if (entries === undefined) return credential;
  const list = Array.isArray(entries) ? entries : [entries];
  const converted = list.map((entry) => {
    const id = (entry as { id?: unknown }).id;
    if (typeof id !== 'string') throw new Error('A status entry without an id cannot be written in the Europass form.');
    return { id, type: 'CredentialStatus' };
  });
  return { ...credential, credentialStatus: Array.isArray(entries) ? converted : converted[0] };
}

/**
 * The EDC (ELM 3.2) credential for the facts, unsigned. Throws when the facts
 * cannot make a truthful credential (an achievement that was not passed, a
 * micro-credential without learning outcomes, an unknown country or EQF level).
 */
export function buildCredential(facts: CredentialFacts): Record<string, unknown> {
  const { issuer: alliance, learner, awardingBody: member, achievement, offering } = facts;
  const participation = facts.kind === 'PARTICIPATION';
  // Credit is stated only when it is awarded; a certificate of participation never awards any.
  const creditBearing = !participation && offering.creditBearing;

  if (!achievement.passed) throw new Error(`Achievement "${achievement.id}" was not passed; no credential states it.`);
  if (!Number.isInteger(offering.eqfLevel) || offering.eqfLevel < 1 || offering.eqfLevel > 8) {
    throw new Error(`EQF level ${offering.eqfLevel} is not a level from 1 to 8.`);
  }
  if (!participation && facts.learningOutcomes.length === 0) {
    throw new Error(`Offering "${offering.id}" has no learning outcomes; a micro-credential must state them (Annex I element 6).`);
  }

  const ids = idsUnder(facts.credentialId);
  const issued = dateTime(facts.issuedAt);

  const note = (path: string, text: string, subject?: NoteSubject): Node => ({
    id: ids(path),
    type: 'Note',
    noteLiteral: en(text),
    ...(subject
      ? { subject: concept({ id: `urn:eciu:note-subject:${subject}`, label: NOTE_SUBJECT_LABELS[subject], scheme: ECIU_SCHEME.noteSubject }) }
      : {}),
  });
  const webResource = (path: string, url: string, title?: string): Node => ({
    id: ids(path),
    type: 'WebResource',
    ...(title ? { title: en(title) } : {}),
    contentURL: url,
  });

  const issuer = issuerNode(alliance);

  const memberId = memberOrganisationId(member.id);
  const awardingBody = organisationNode(memberId, member.name, member.country, member.homepage, {
    identifier: { id: idsUnder(memberId)('identifier'), type: 'Identifier', notation: member.id, schemeName: 'SCHAC home organisation' },
    // The member belongs to the alliance that issues on its behalf (as the sample's "Research Alliance").
    groupMemberOf: { id: idsUnder(alliance.id)('members'), type: 'Group', prefLabel: en(alliance.name) },
  });

  // The member's award takes effect when the alliance issues on its behalf; the
  // assessment keeps its own date (provenBy.dateIssued).
  const awardingProcess: Node = {
    id: ids('awarding-process'),
    type: 'AwardingProcess',
    awardingBody,
    awardingDate: issued,
  };

  // A node described once is referenced by its id elsewhere (JSON-LD merges nodes by id): the
  // awarding process and body, and skill and level concepts, would otherwise be repeated in every
  // part of the claim, tripling the credential's size and the cost of sealing and verifying it.
  const awardingRef: Node = { id: awardingProcess.id, type: 'AwardingProcess', awardingBody: { id: memberId } };
  const described = new Set<string>();
  const describeOnce = (node: Node): Node => {
    const id = node['id'];
    if (typeof id !== 'string') return node;
    if (described.has(id)) return { id };
    described.add(id);
    return node;
  };

  const assessmentType = ASSESSMENT_TYPES[offering.assessmentType];
  const provenBy: Node = {
    id: ids('assessment'),
    type: 'LearningAssessment',
    title: en(`${assessmentType.label}: ${offering.title}`),
    // ELM requires a grade; a pass/fail assessment without a recorded grade is a pass.
    grade: note('assessment/grade', achievement.grade ?? 'Pass'),
    dateIssued: dayStart(achievement.assessedOn),
    ...(achievement.supervision ? { idVerification: concept(SUPERVISION[achievement.supervision]) } : {}),
    awardedBy: awardingRef,
    assessedBy: { id: memberId },
    specifiedBy: {
      id: ids('assessment/specification'),
      type: 'LearningAssessmentSpecification',
      title: en(assessmentType.label),
      dcType: concept(assessmentType),
      gradingScheme: {
        id: ids('assessment/specification/grading-scheme'),
        type: 'GradingScheme',
        title: en(achievement.gradingScheme.code),
        description: en(achievement.gradingScheme.description),
      },
    },
  };

  const learningOutcomes = facts.learningOutcomes.map((outcome, index): Node => {
    const related = [
      ...(outcome.skill && !outcome.skill.uri.startsWith(ESCO_SKILL_PREFIX) ? [describeOnce(skillConcept(outcome.skill))] : []),
      describeOnce(proficiencyLevelConcept(outcome.expectedProficiency)),
    ];
    return {
      id: ids(`specification/learning-outcome/${index}`),
      type: 'LearningOutcome',
      title: en(outcome.description),
      ...(outcome.skill?.uri.startsWith(ESCO_SKILL_PREFIX) ? { relatedESCOSkill: describeOnce(skillConcept(outcome.skill)) } : {}),
      // The expected level of this outcome, next to its skill (see PROFICIENCY).
      relatedSkill: related.length === 1 ? related[0] : related,
    };
  });

  const cycle = CYCLES[offering.eqfLevel];
  const notes: Node[] = [
    note('specification/note/quality-assurance', `Quality assurance: ${offering.qualityAssurance}`, 'quality-assurance'),
  ];
  if (offering.externalAccreditation) {
    const accreditation = offering.externalAccreditation;
    notes.push(
      note(
        'specification/note/external-accreditation',
        `External accreditation: ${accreditation.body}, reference ${accreditation.reference}, decided on ${accreditation.decidedOn}` +
          (accreditation.validUntil ? `, valid until ${accreditation.validUntil}.` : '.'),
        'external-accreditation',
      ),
    );
  }
  notes.push(note('specification/note/level', `Level: EQF ${offering.eqfLevel}${cycle ? `, ${cycle}` : ''}.`, 'level'));
  if (participation) {
    notes.push(
      note(
        'specification/note/credit',
        'Non-credit certificate of participation: it is not a micro-credential and awards no ECTS credits. The notional workload is given in hours.',
        'credit',
      ),
    );
  } else {
    notes.push(note('specification/note/micro-credential-type', MICRO_CREDENTIAL_TYPES[offering.microCredentialType], 'micro-credential-type'));
    notes.push(
      note(
        'specification/note/stackability',
        offering.stackability === 'STACKABLE'
          ? `Stackable towards ${offering.stackableTowards ?? 'another credential'}.`
          : 'Stand-alone micro-credential: not designed to stack towards another credential.',
        'stackability',
      ),
    );
    if (!creditBearing) {
      notes.push(
        note('specification/note/credit', 'Non-credit micro-credential: no ECTS credits are awarded. The notional workload is given in hours.', 'credit'),
      );
    }
  }

  const supplementary = offering.externalAccreditation?.url
    ? webResource('specification/external-accreditation', offering.externalAccreditation.url, 'External accreditation decision')
    : undefined;

  // ELM gives `eqfLevel` to Qualification only (the EBSI schema closes
  // LearningAchievementSpecification without it), and the Commission's Annex I
  // sample specifies its micro-credential as a Qualification: so does a
  // micro-credential here. A certificate of participation is not a
  // qualification; its LearningAchievementSpecification states the EQF level
  // in `educationLevel`, the generic property for a level in a framework.
  const eqf = concept(eqfLevel(offering.eqfLevel));
  const specification: Node = {
    id: ids('specification'),
    type: participation ? 'LearningAchievementSpecification' : 'Qualification',
    title: en(offering.title),
    ...(offering.description ? { description: en(offering.description) } : {}),
    identifier: { id: ids('specification/identifier'), type: 'Identifier', notation: offering.id, schemeName: 'ECIU hub offering id' },
    ...(offering.code ? { altLabel: en(offering.code) } : {}),
    category: en(OFFERING_KINDS[offering.kind]),
    additionalNote: notes,
    ...(supplementary ? { supplementaryDocument: supplementary } : {}),
    ...(offering.moreInformationUrl ? { homepage: webResource('specification/homepage', offering.moreInformationUrl, 'Further information') } : {}),
    volumeOfLearning: workloadDuration(offering.workloadHours),
    mode: concept(MODES[offering.mode]),
    ...(offering.iscedF ? { thematicArea: concept(iscedF(offering.iscedF)) } : {}),
    ...(creditBearing && offering.ects > 0
      ? { creditPoint: { id: ids('specification/credit-point'), type: 'CreditPoint', framework: concept(ECTS), point: points(offering.ects) } }
      : {}),
    learningSetting: concept(LEARNING_SETTINGS[offering.learningSetting]),
    ...(offering.prerequisites ? { entryRequirement: note('specification/entry-requirement', offering.prerequisites) } : {}),
    learningOutcome: learningOutcomes,
    ...(participation ? { educationLevel: eqf } : { eqfLevel: eqf }),
  };

  // The level the learner reached in each skill belongs to the learner's claim,
  // not to the offering: one part per acquired skill, each specified by a single
  // learning outcome that pairs the ESCO skill with the level concept.
  const acquiredParts = facts.acquiredSkills.map((acquired, index): Node => {
    const path = `achievement/acquired-skill/${index}`;
    const level = PROFICIENCY[acquired.level];
    const isEsco = acquired.skill.uri.startsWith(ESCO_SKILL_PREFIX);
    return {
      id: ids(path),
      type: 'LearningAchievement',
      title: en(`${acquired.skill.label}: ${level.label}`),
      awardedBy: awardingRef,
      specifiedBy: {
        id: ids(`${path}/specification`),
        type: 'LearningAchievementSpecification',
        title: en(acquired.skill.label),
        learningOutcome: {
          id: ids(`${path}/specification/learning-outcome`),
          type: 'LearningOutcome',
          title: en(`${acquired.skill.label} (${level.label.toLowerCase()} level reached)`),
          ...(isEsco ? { relatedESCOSkill: describeOnce(skillConcept(acquired.skill)) } : {}),
          relatedSkill: isEsco ? describeOnce(concept(level)) : [describeOnce(skillConcept(acquired.skill)), describeOnce(concept(level))],
        },
      },
    };
  });

  const claimTitle = participation ? `Certificate of participation (non-credit): ${offering.title}` : offering.title;
  const fullName = `${learner.givenName} ${learner.familyName}`;
  const claim: Node = {
    id: ids('achievement'),
    type: 'LearningAchievement',
    title: en(claimTitle),
    ...(participation
      ? {
          description: en(
            `${fullName} took part in "${offering.title}" at ${member.name} and completed its assessment. ` +
              'This is a non-credit certificate of participation, not a micro-credential: it awards no ECTS credits.',
          ),
        }
      : {}),
    identifier: { id: ids('achievement/identifier'), type: 'Identifier', notation: achievement.id, schemeName: 'ECIU hub achievement id' },
    ...(creditBearing && achievement.ectsAwarded > 0
      ? { creditReceived: { id: ids('achievement/credit-received'), type: 'CreditPoint', framework: concept(ECTS), point: points(achievement.ectsAwarded) } }
      : {}),
    awardedBy: awardingProcess,
    provenBy,
    specifiedBy: specification,
    ...(acquiredParts.length > 0 ? { hasPart: acquiredParts } : {}),
  };

  const credentialSubject: Node = {
    id: learner.id,
    type: 'Person',
    ...(learner.studentNumber
      ? {
          identifier: {
            id: ids('learner/student-number'),
            type: 'Identifier',
            notation: learner.studentNumber,
            schemeName: 'Student number',
            schemeAgency: en(member.name),
          },
        }
      : {}),
    fullName: en(fullName),
    givenName: en(learner.givenName),
    familyName: en(learner.familyName),
    ...(learner.email
      ? { contactPoint: { id: ids('learner/contact-point'), type: 'ContactPoint', emailAddress: { id: `mailto:${learner.email}`, type: 'Mailbox' } } }
      : {}),
    hasClaim: claim,
  };

  const displayTitle = participation ? 'Certificate of participation (non-credit)' : 'Micro-credential';
  const countryName = country(member.country).name;
  const creditLine = creditBearing && achievement.ectsAwarded > 0
    ? `${points(achievement.ectsAwarded)} ECTS · EQF level ${offering.eqfLevel} · ${offering.workloadHours} hours`
    : `No ECTS credits awarded · EQF level ${offering.eqfLevel} · ${offering.workloadHours} hours`;
  const displayParameter = displayParameterNode(
    ids,
    displayTitle,
    participation ? `took part in ${offering.title} (non-credit certificate of participation)` : `has successfully completed ${offering.title}`,
    [
      { text: alliance.name, size: 20, bold: true },
      { text: displayTitle, size: 30, bold: true },
      { text: fullName, size: 24 },
      { text: claimTitle, size: 18 },
      { text: `Awarded by ${member.name} (${countryName})`, size: 16 },
      { text: creditLine, size: 16 },
      { text: `Issued ${issued.slice(0, 10)}`, size: 14 },
      { text: facts.credentialId, size: 11 },
    ],
  );

  return credentialEnvelope({
    credentialId: facts.credentialId,
    issuer,
    issued,
    validFrom: dateTime(facts.validFrom),
    validUntil: facts.validUntil ? dateTime(facts.validUntil) : null,
    credentialSubject,
    status: facts.status,
    displayParameter,
  });
}
