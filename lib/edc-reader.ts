/*
 * Reads what recognition and the passport need from a credential in the European Learning
 * Model (the hub's own and other EDC issuers'): the claim's title, awarding
 * body, credit, level, assessment date and grade. Used only after the hub's
 * verification passed, on the payload it verified.
 */

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const many = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);
const first = (value: unknown): Node | undefined => many(value).find(isNode);

/** A language map ({ en: "…" }) or a plain string, as text. */
function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (isNode(value)) {
    const english = value['en'];
    if (typeof english === 'string') return english;
    const any = Object.values(value).find((item) => typeof item === 'string');
    return typeof any === 'string' ? any : null;
  }
  return null;
}

const ECTS_FRAMEWORK = 'http://data.europa.eu/snb/education-credit/6fcec5c5af';
const EQF_PREFIX = 'http://data.europa.eu/snb/eqf/';
export const MEMBER_ORGANISATION_PREFIX = 'urn:eciu:member:';
export const LEARNER_URN_PREFIX = 'urn:eciu:learner:';

function ectsOf(credit: unknown): number | null {
  const node = first(credit);
  if (!node) return null;
  const framework = first(node['framework']);
  if (framework && framework['id'] !== ECTS_FRAMEWORK) return null;
  const point = Number(node['point']);
  return Number.isFinite(point) && point >= 0 && point <= 240 ? point : null;
}

export interface EdcClaimFacts {
  title: string;
  subjectId: string | null;
  /** The awarding body's id and name. */
  awardingBodyId: string | null;
  awardingBodyName: string;
  /** The alliance member, when the awarding body is one. */
  memberId: string | null;
  /** ECTS received (creditReceived, else the specification's creditPoint); 0 when none is stated. */
  ects: number;
  eqfLevel: number | null;
  assessedOn: string | null;
  grade: string | null;
  /** The hub achievement id the claim names, if any. */
  achievementId: string | null;
  skills: string[];
}

/** The first claim of a credential, or null when it has none this reader understands. */
export function readEdcClaim(credential: Record<string, unknown>): EdcClaimFacts | null {
  const subject = first(credential['credentialSubject']);
  const claim = subject ? first(subject['hasClaim']) : undefined;
  if (!subject || !claim) return null;
  const specification = first(claim['specifiedBy']);
  const process = first(claim['awardedBy']);
  const body = process ? first(process['awardingBody']) : undefined;
  const assessment = first(claim['provenBy']);
  const bodyId = body && typeof body['id'] === 'string' ? body['id'] : null;
  const levelId = specification ? (first(specification['eqfLevel']) ?? first(specification['educationLevel']))?.['id'] : undefined;
  const level = typeof levelId === 'string' && levelId.startsWith(EQF_PREFIX) ? Number(levelId.slice(EQF_PREFIX.length)) : NaN;
  const assessed = assessment && typeof assessment['dateIssued'] === 'string' ? assessment['dateIssued'].slice(0, 10) : null;
  const identifier = many(claim['identifier']).find((item) => isNode(item) && item['schemeName'] === 'ECIU hub achievement id');
  const skills = many(specification?.['learningOutcome']).flatMap((outcome) => {
    const skill = isNode(outcome) ? first(outcome['relatedESCOSkill']) : undefined;
    return skill && typeof skill['id'] === 'string' ? [skill['id']] : [];
  });
  return {
    title: (text(claim['title']) ?? text(specification?.['title']) ?? 'Untitled credential').slice(0, 500),
    subjectId: typeof subject['id'] === 'string' ? subject['id'] : null,
    awardingBodyId: bodyId,
    awardingBodyName: (text(body?.['legalName']) ?? text(body?.['prefLabel']) ?? bodyId ?? 'Unknown awarding body').slice(0, 500),
    memberId: bodyId?.startsWith(MEMBER_ORGANISATION_PREFIX) ? bodyId.slice(MEMBER_ORGANISATION_PREFIX.length) : null,
    ects: ectsOf(claim['creditReceived']) ?? ectsOf(specification?.['creditPoint']) ?? 0,
    eqfLevel: Number.isInteger(level) && level >= 1 && level <= 8 ? level : null,
    assessedOn: assessed && /^\d{4}-\d{2}-\d{2}$/.test(assessed) ? assessed : null,
    grade: text(first(assessment?.['grade'])?.['noteLiteral'])?.slice(0, 64) ?? null,
    achievementId: isNode(identifier) && typeof identifier['notation'] === 'string' ? identifier['notation'] : null,
    skills: [...new Set(skills)],
  };
}

/** The credential a vc+jwt or JAdES JSON document carries (unverified: call after verification). */
export function credentialPayload(document: string): Record<string, unknown> | null {
  const trimmed = document.trim();
  try {
    if (trimmed.startsWith('{')) {
      const jades = JSON.parse(trimmed) as Node;
      const payload = jades['payload'];
      const parsed = typeof payload === 'string' ? (JSON.parse(payload.startsWith('{') ? payload : Buffer.from(payload, 'base64url').toString('utf8')) as unknown) : payload;
      return isNode(parsed) ? parsed : null;
    }
    const parts = trimmed.split('.');
    if (parts.length !== 3) return null;
    const parsed = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as unknown;
    return isNode(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
