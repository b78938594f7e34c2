import { badUserInput, checkedText, unknownMember } from '../../lib/errors.js';
import { isMemberId, parseGlobalId, type MemberIds } from '../../lib/ids.js';
import { PathwayRequirementKind } from './enums.js';
import { checkedLongText } from './evidence.js';
import type { PathwayInput } from './pathway-model.js';
import { listOf as list, type Pathway } from './records.js';

/*
 * Stackable pathways: the specification (checked here, stored as data) and
 * the progress of a learner along one, computed from what the learner has
 * (learner-components.ts reads it). Pure functions: no calls, no clock.
 *
 * What counts (docs/recognition.md, "Pathways"): a passed achievement whose
 * offering meets the pathway's level, SDG, kind, member and time window, and
 * whose credential (if one was issued) is in force; and credit a member
 * recognised (a request RECOGNISED, PARTIALLY_RECOGNISED or under appeal),
 * which then stands for its evidence: the achievements it names do not count
 * again on their own, and it stops counting when a credential it names is
 * revoked or suspended.
 */

export interface RequirementSpec {
  kind: PathwayRequirementKind;
  title: string;
  offeringIds?: string[];
  count?: number;
  sdg?: number;
  skillUri?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ESCO_SKILL = /^http:\/\/data\.europa\.eu\/esco\/(skill|isced-f)\/[A-Za-z0-9-]{1,80}$/;

function day(value: string | null | undefined, argument: string): string | null {
  if (value === null || value === undefined) return null;
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw badUserInput(`"${argument}" must be a date YYYY-MM-DD.`, argument);
  }
  return value;
}

function amount(value: number | null | undefined, argument: string, required: boolean): number | null {
  if (value === null || value === undefined) {
    if (required) throw badUserInput(`"${argument}" is required.`, argument);
    return null;
  }
  if (!Number.isFinite(value) || value <= 0 || value > 240) throw badUserInput(`"${argument}" must be more than 0 and at most 240 ECTS.`, argument);
  return Math.round(value * 10) / 10;
}

function offeringId(id: string, argument: string, knownMembers: MemberIds | null): string {
  const parsed = parseGlobalId(id);
  if (!parsed || (knownMembers && !knownMembers.has(parsed.memberId))) throw badUserInput(`"${argument}" must be an offering of an alliance member, e.g. "tuni.fi:co-301".`, argument);
  return id;
}

/** The stored fields of a pathway from its input, or BAD_USER_INPUT naming the field. */
export function checkedPathway(input: PathwayInput, knownMembers: MemberIds | null): Omit<Pathway, 'id' | 'version' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy'> {
  const member = (id: string, argument: string) => {
    if (!isMemberId(id) || (knownMembers && !knownMembers.has(id))) throw unknownMember(id.slice(0, 253), argument);
    return id;
  };
  const ownerMemberId = input.ownerMemberId ? member(input.ownerMemberId, 'input.ownerMemberId') : null;
  const ectsMin = amount(input.ectsMin, 'input.ectsMin', true) as number;
  const ectsMax = amount(input.ectsMax, 'input.ectsMax', false);
  if (ectsMax !== null && ectsMax < ectsMin) throw badUserInput('"input.ectsMax" must be at least "input.ectsMin".', 'input.ectsMax');
  if (input.eqfLevel !== null && input.eqfLevel !== undefined && (!Number.isInteger(input.eqfLevel) || input.eqfLevel < 1 || input.eqfLevel > 8)) throw badUserInput('"input.eqfLevel" must be an EQF level from 1 to 8.', 'input.eqfLevel');
  const most = knownMembers?.size ?? 13;
  if (!Number.isInteger(input.minMembers) || input.minMembers < 1 || input.minMembers > most) throw badUserInput(`"input.minMembers" must be from 1 to ${most}.`, 'input.minMembers');
  const sdgs = input.sdgs ? [...new Set(input.sdgs)] : null;
  if (sdgs && (sdgs.length === 0 || sdgs.some((sdg) => !Number.isInteger(sdg) || sdg < 1 || sdg > 17))) throw badUserInput('"input.sdgs" must list SDGs from 1 to 17, or be left out.', 'input.sdgs');
  const memberIds = input.memberIds ? [...new Set(input.memberIds)].map((id, index) => member(id, `input.memberIds[${index}]`)) : null;
  if (memberIds && (memberIds.length === 0 || memberIds.length < input.minMembers)) throw badUserInput('"input.memberIds" must list at least "input.minMembers" members, or be left out.', 'input.memberIds');
  const kinds = input.opportunityKinds ? [...new Set(input.opportunityKinds)] : null;
  if (kinds && kinds.length === 0) throw badUserInput('"input.opportunityKinds" must list a kind, or be left out.', 'input.opportunityKinds');
  const validFrom = day(input.validFrom, 'input.validFrom');
  const validUntil = day(input.validUntil, 'input.validUntil');
  if (validFrom && validUntil && validFrom > validUntil) throw badUserInput('"input.validFrom" must not be after "input.validUntil".', 'input.validFrom');
  if (input.requirements.length > 20) throw badUserInput('"input.requirements" may list at most 20 requirements.', 'input.requirements');
  const requirements = input.requirements.map((item, index): RequirementSpec => {
    const at = `input.requirements[${index}]`;
    const title = checkedText(item.title, `${at}.title`, 3, 200) as string;
    const offerings = item.offeringIds ? [...new Set(item.offeringIds)].map((id, i) => offeringId(id, `${at}.offeringIds[${i}]`, knownMembers)) : [];
    const stray = (field: string, present: boolean) => {
      if (present) throw badUserInput(`"${at}.${field}" does not belong to a ${item.kind} requirement.`, `${at}.${field}`);
    };
    switch (item.kind) {
      case PathwayRequirementKind.ALL_OF:
      case PathwayRequirementKind.ANY_OF: {
        const [least, mostOfferings] = item.kind === PathwayRequirementKind.ALL_OF ? [1, 20] : [2, 50];
        if (offerings.length < least || offerings.length > mostOfferings) throw badUserInput(`"${at}.offeringIds" must list ${least} to ${mostOfferings} offerings for ${item.kind}.`, `${at}.offeringIds`);
        stray('sdg', item.sdg != null);
        stray('skillUri', item.skillUri != null);
        if (item.kind === PathwayRequirementKind.ALL_OF) {
          stray('count', item.count != null);
          return { kind: item.kind, title, offeringIds: offerings };
        }
        if (!Number.isInteger(item.count) || (item.count as number) < 1 || (item.count as number) > offerings.length) throw badUserInput(`"${at}.count" must be from 1 to the number of offerings listed (${offerings.length}).`, `${at}.count`);
        return { kind: item.kind, title, offeringIds: offerings, count: item.count as number };
      }
      case PathwayRequirementKind.CHALLENGE:
        stray('offeringIds', item.offeringIds != null);
        stray('count', item.count != null);
        stray('skillUri', item.skillUri != null);
        if (item.sdg != null && (!Number.isInteger(item.sdg) || item.sdg < 1 || item.sdg > 17)) throw badUserInput(`"${at}.sdg" must be an SDG from 1 to 17.`, `${at}.sdg`);
        return { kind: item.kind, title, ...(item.sdg != null ? { sdg: item.sdg } : {}) };
      case PathwayRequirementKind.SKILL:
        stray('offeringIds', item.offeringIds != null);
        stray('count', item.count != null);
        stray('sdg', item.sdg != null);
        if (!item.skillUri || !ESCO_SKILL.test(item.skillUri)) throw badUserInput(`"${at}.skillUri" must be an ESCO skill URI, e.g. "http://data.europa.eu/esco/skill/…".`, `${at}.skillUri`);
        return { kind: item.kind, title, skillUri: item.skillUri };
      default:
        throw badUserInput(`"${at}.kind" must be ALL_OF, ANY_OF, CHALLENGE or SKILL: the ECTS total and the number of members are fields of the pathway.`, `${at}.kind`);
    }
  });
  return {
    ownerMemberId,
    name: checkedText(input.name, 'input.name', 3, 200) as string,
    description: checkedLongText(input.description, 'input.description', 1, 2000),
    active: input.active,
    ectsMin,
    ectsMax,
    eqfLevel: input.eqfLevel ?? null,
    minMembers: input.minMembers,
    sdgList: sdgs ? sdgs.sort((a, b) => a - b).join(',') : null,
    memberList: memberIds ? memberIds.join(',') : null,
    kindList: kinds ? kinds.join(',') : null,
    validFrom,
    validUntil,
    requirements: JSON.stringify(requirements),
  };
}

export function requirementsOf(pathway: Pathway): RequirementSpec[] {
  return JSON.parse(pathway.requirements) as RequirementSpec[];
}

/** Something of the learner's that may count (learner-components.ts builds them). */
export interface Component {
  /** The achievement id, the recognition request id, or (for what is still being done) the enrolment id. */
  id: string;
  /** ENROLMENT: an open application or place, counted only in projections (`completeOnPassing`). */
  source: 'ACHIEVEMENT' | 'RECOGNITION' | 'ENROLMENT';
  title: string;
  memberId: string;
  /** Members where the learning happened (the awarding member; for a recognition, its evidence's issuers). */
  learntAt: string[];
  offeringId: string | null;
  credentialId: string | null;
  ects: number;
  eqfLevel: number | null;
  kind: string | null;
  sdgs: number[];
  skills: string[];
  assessedOn: string | null;
  /** Set when it cannot count towards any pathway (a revoked credential; used as evidence of a recognition). */
  excluded: string | null;
}

export interface ComponentVerdict {
  component: Component;
  counts: boolean;
  reason: string | null;
}

export interface RequirementVerdict {
  spec: RequirementSpec;
  satisfied: boolean;
  status: string;
  satisfiedBy: string[];
}

export interface Progress {
  complete: boolean;
  ectsCounted: number;
  ectsMissing: number;
  membersCounted: string[];
  components: ComponentVerdict[];
  requirements: RequirementVerdict[];
}

const round = (value: number) => Math.round(value * 10) / 10;

/** Why a component does not count towards `pathway`, or null when it counts. */
function notCounting(pathway: Pathway, component: Component): string | null {
  if (component.excluded) return component.excluded;
  if (pathway.eqfLevel != null && (component.eqfLevel ?? 0) < pathway.eqfLevel) return `EQF ${component.eqfLevel ?? 'unknown'} is below the pathway's EQF ${pathway.eqfLevel}`;
  const sdgs = list(pathway.sdgList).map(Number);
  if (sdgs.length > 0 && !component.sdgs.some((sdg) => sdgs.includes(sdg))) return `not on SDG ${sdgs.join(' or ')}`;
  const members = list(pathway.memberList);
  if (members.length > 0 && !members.includes(component.memberId)) return `${component.memberId} is not one of the pathway's members`;
  const kinds = list(pathway.kindList);
  if (kinds.length > 0 && !kinds.includes(component.kind ?? '')) return `a ${component.kind ?? 'component of unknown kind'}, not one of ${kinds.join(', ')}`;
  if (pathway.validFrom && (component.assessedOn ?? '') < pathway.validFrom) return `assessed before ${pathway.validFrom}`;
  if (pathway.validUntil && (component.assessedOn ?? '9999') > pathway.validUntil) return `assessed after ${pathway.validUntil}`;
  return null;
}

/** The learner's progress along `pathway` from their components. */
export function evaluateProgress(pathway: Pathway, components: readonly Component[]): Progress {
  const verdicts = components.map((component): ComponentVerdict => {
    const reason = notCounting(pathway, component);
    return { component, counts: reason === null, reason };
  });
  const counted = verdicts.filter((verdict) => verdict.counts).map((verdict) => verdict.component);
  const total = round(counted.reduce((sum, component) => sum + component.ects, 0));
  const ectsCounted = pathway.ectsMax != null ? Math.min(total, pathway.ectsMax) : total;
  const members = [...new Set(counted.flatMap((component) => component.learntAt))].sort();
  const doneOfferings = new Map<string, string>();
  for (const component of counted) if (component.offeringId && !doneOfferings.has(component.offeringId)) doneOfferings.set(component.offeringId, component.id);

  const requirements: RequirementVerdict[] = [
    {
      spec: { kind: PathwayRequirementKind.ECTS_TOTAL, title: `At least ${pathway.ectsMin} ECTS`, count: pathway.ectsMin },
      satisfied: ectsCounted >= pathway.ectsMin,
      status: `${ectsCounted} of ${pathway.ectsMin} ECTS`,
      satisfiedBy: counted.filter((component) => component.ects > 0).map((component) => component.id),
    },
    {
      spec: { kind: PathwayRequirementKind.MIN_MEMBERS, title: `From at least ${pathway.minMembers} member${pathway.minMembers === 1 ? '' : 's'}`, count: pathway.minMembers },
      satisfied: members.length >= pathway.minMembers,
      status: `${members.length} of ${pathway.minMembers} members${members.length > 0 ? ` (${members.join(', ')})` : ''}`,
      satisfiedBy: counted.map((component) => component.id),
    },
  ];
  for (const spec of requirementsOf(pathway)) {
    if (spec.kind === PathwayRequirementKind.ALL_OF || spec.kind === PathwayRequirementKind.ANY_OF) {
      const offerings = spec.offeringIds ?? [];
      const done = offerings.filter((id) => doneOfferings.has(id));
      const needed = spec.kind === PathwayRequirementKind.ALL_OF ? offerings.length : (spec.count ?? 1);
      requirements.push({ spec, satisfied: done.length >= needed, status: `${done.length} of ${needed} offerings done`, satisfiedBy: done.map((id) => doneOfferings.get(id) as string) });
    } else if (spec.kind === PathwayRequirementKind.CHALLENGE) {
      const by = counted.filter((component) => component.kind === 'CHALLENGE' && (spec.sdg === undefined || component.sdgs.includes(spec.sdg)));
      requirements.push({ spec, satisfied: by.length > 0, status: by.length > 0 ? `done: ${by[0]?.title}` : `no ${spec.sdg ? `SDG ${spec.sdg} ` : ''}challenge done yet`, satisfiedBy: by.map((component) => component.id) });
    } else if (spec.kind === PathwayRequirementKind.SKILL) {
      const by = counted.filter((component) => component.skills.includes(spec.skillUri ?? ''));
      requirements.push({ spec, satisfied: by.length > 0, status: by.length > 0 ? `shown in ${by[0]?.title}` : 'not shown yet', satisfiedBy: by.map((component) => component.id) });
    }
  }
  return {
    complete: requirements.every((requirement) => requirement.satisfied),
    ectsCounted,
    ectsMissing: round(Math.max(0, pathway.ectsMin - ectsCounted)),
    membersCounted: members,
    components: verdicts,
    requirements,
  };
}
