/*
 * The competence passport, computed from the evidence read for a learner
 * (reader.ts): pure, so what a passport says can be tested without servers.
 *
 * - A skill is in the passport when some evidence names it: an achievement's
 *   acquired skill (the level the member recorded, the offering's EQF level),
 *   or an ESCO skill an external credential the learner added names.
 * - Evidence counts unless its credential is revoked or suspended (then it is
 *   listed with the reason and stops counting). A skill counts when some of
 *   its evidence does; its level and EQF level are the highest counting ones.
 * - Groups: every ESCO skill group above a counted skill, with the number of
 *   counted skills under it and the ECTS of the distinct evidence behind them;
 *   the pillar is the group at the top of the hierarchy (S1-S8 under "skills",
 *   otherwise the root: T transversal, K knowledge, L language).
 * - Timeline: per month, the counted skills first gained in it.
 */

export const LEVELS = ['FOUNDATION', 'INTERMEDIATE', 'ADVANCED', 'HIGHLY_SPECIALISED'] as const;
export type Level = (typeof LEVELS)[number];

export interface AchievementEvidence {
  kind: 'ACHIEVEMENT';
  id: string;
  title: string;
  memberId: string;
  offeringId: string;
  assessedOn: string;
  ects: number;
  eqfLevel: number;
  skills: { uri: string; level: Level }[];
  credential: { id: string; status: string } | null;
  recognition: { id: string; state: string } | null;
}

export interface ExternalEvidence {
  kind: 'EXTERNAL_CREDENTIAL';
  id: string;
  title: string;
  awardingBody: string;
  gainedOn: string;
  ects: number;
  eqfLevel: number | null;
  skills: string[];
  /** Null: verifies; otherwise why it no longer does (e.g. revoked). */
  failure: string | null;
}

export type Evidence = AchievementEvidence | ExternalEvidence;

export interface GroupNode {
  uri: string;
  code: string | null;
  label: string;
  broader: GroupNode[];
}

export interface SkillFacts {
  label: string;
  groups: GroupNode[];
}

export interface SkillEvidenceView {
  evidence: Evidence;
  level: Level | null;
  counts: boolean;
  reason: string | null;
}

export interface PassportSkillView {
  uri: string;
  label: string;
  level: Level | null;
  eqfLevel: number | null;
  firstGainedOn: string | null;
  counts: boolean;
  evidence: SkillEvidenceView[];
}

export interface PassportGroupView {
  uri: string;
  code: string | null;
  label: string;
  /** The pillar this group belongs to (its own uri for a pillar). */
  pillarUri: string;
  skillCount: number;
  ects: number;
}

export interface PassportView {
  skills: PassportSkillView[];
  groups: PassportGroupView[];
  pillars: PassportGroupView[];
  timeline: { month: string; skills: string[] }[];
  skillCount: number;
  ects: number;
}

const IN_FORCE = 'ACTIVE';

/** Why a piece of evidence does not count, or null when it does (the passport's rule; its export keeps to it too). */
export function whyNot(evidence: Evidence): string | null {
  if (evidence.kind === 'EXTERNAL_CREDENTIAL') return evidence.failure ? `it no longer verifies: ${evidence.failure}` : null;
  if (evidence.credential && evidence.credential.status !== IN_FORCE) return `its credential ${evidence.credential.id} is ${evidence.credential.status.toLowerCase()}`;
  return null;
}

const dateOf = (evidence: Evidence) => (evidence.kind === 'ACHIEVEMENT' ? evidence.assessedOn : evidence.gainedOn);
const higher = (a: Level | null, b: Level | null): Level | null => (a === null ? b : b === null ? a : LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b);

/** Every group above (and including) the given ones, each once, and the pillar of each. */
function ancestry(groups: readonly GroupNode[]): { all: Map<string, GroupNode>; pillarOf: Map<string, string> } {
  const all = new Map<string, GroupNode>();
  const pillarOf = new Map<string, string>();
  const walk = (node: GroupNode, below: GroupNode[]) => {
    if (node.broader.length === 0) {
      // A root. Under "skills" (S) the pillar is the level below it (S1-S8), and S itself is no group of
      // its own in the passport (it holds every skill); T, K and L are pillars themselves.
      const underSkills = node.code === 'S' && below.length > 0;
      const chain = underSkills ? below : [...below, node];
      const pillar = chain[chain.length - 1] as GroupNode;
      for (const member of chain) {
        if (!all.has(member.uri)) all.set(member.uri, member);
        if (!pillarOf.has(member.uri)) pillarOf.set(member.uri, pillar.uri);
      }
      return;
    }
    for (const parent of node.broader) walk(parent, [...below, node]);
  };
  for (const group of groups) walk(group, []);
  return { all, pillarOf };
}

export function buildPassport(evidence: readonly Evidence[], facts: ReadonlyMap<string, SkillFacts>): PassportView {
  const bySkill = new Map<string, SkillEvidenceView[]>();
  for (const item of evidence) {
    const reason = whyNot(item);
    const named = item.kind === 'ACHIEVEMENT' ? item.skills : item.skills.map((uri) => ({ uri, level: null }));
    for (const { uri, level } of named) {
      const list = bySkill.get(uri) ?? [];
      // One achievement may name a skill twice (outcome and assessment): the higher level stands.
      const same = list.find((entry) => entry.evidence === item);
      if (same) same.level = higher(same.level, level);
      else list.push({ evidence: item, level, counts: reason === null, reason });
      bySkill.set(uri, list);
    }
  }

  const skills: PassportSkillView[] = [...bySkill.entries()].map(([uri, list]) => {
    const counting = list.filter((entry) => entry.counts);
    const dates = counting.map((entry) => dateOf(entry.evidence)).sort();
    return {
      uri,
      label: facts.get(uri)?.label ?? uri,
      level: counting.reduce<Level | null>((best, entry) => higher(best, entry.level), null),
      eqfLevel: counting.reduce<number | null>((best, entry) => Math.max(best ?? 0, entry.evidence.eqfLevel ?? 0) || best, null),
      firstGainedOn: dates[0] ?? null,
      counts: counting.length > 0,
      evidence: list.sort((a, b) => dateOf(a.evidence).localeCompare(dateOf(b.evidence)) || a.evidence.id.localeCompare(b.evidence.id)),
    };
  });
  skills.sort((a, b) => a.label.localeCompare(b.label, 'en') || a.uri.localeCompare(b.uri));

  // Groups: counted skills and the distinct evidence (for ECTS) under each.
  const under = new Map<string, { node: GroupNode; pillar: string; skills: Set<string>; evidence: Map<string, number> }>();
  for (const skill of skills) {
    if (!skill.counts) continue;
    const { all, pillarOf } = ancestry(facts.get(skill.uri)?.groups ?? []);
    for (const [groupUri, node] of all) {
      const entry = under.get(groupUri) ?? { node, pillar: pillarOf.get(groupUri) ?? groupUri, skills: new Set<string>(), evidence: new Map<string, number>() };
      entry.skills.add(skill.uri);
      for (const item of skill.evidence) if (item.counts) entry.evidence.set(`${item.evidence.kind}:${item.evidence.id}`, item.evidence.ects);
      under.set(groupUri, entry);
    }
  }
  const sum = (values: Iterable<number>) => Math.round([...values].reduce((total, value) => total + value, 0) * 100) / 100;
  const groups: PassportGroupView[] = [...under.entries()]
    .map(([uri, entry]) => ({ uri, code: entry.node.code, label: entry.node.label, pillarUri: entry.pillar, skillCount: entry.skills.size, ects: sum(entry.evidence.values()) }))
    .sort((a, b) => (a.code ?? '~').localeCompare(b.code ?? '~') || a.label.localeCompare(b.label, 'en'));
  const pillars = groups.filter((group) => group.pillarUri === group.uri);

  const months = new Map<string, string[]>();
  for (const skill of skills) {
    if (!skill.firstGainedOn) continue;
    const month = skill.firstGainedOn.slice(0, 7);
    months.set(month, [...(months.get(month) ?? []), skill.uri]);
  }
  const counted = new Map<string, number>();
  for (const item of evidence) if (whyNot(item) === null) counted.set(`${item.kind}:${item.id}`, item.ects);
  return {
    skills,
    groups,
    pillars,
    timeline: [...months.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([month, uris]) => ({ month, skills: uris })),
    skillCount: skills.filter((skill) => skill.counts).length,
    ects: sum(counted.values()),
  };
}
