import { readFileSync } from 'node:fs';
import { badUserInput } from '../../lib/errors.js';
import { UUID_PATTERN } from '../../lib/ids.js';

/*
 * The motivation scan (issue 12, point 2): a short questionnaire the learner
 * fills in and can change or delete at any time. The questions are data
 * (questionnaires/v<N>.json, one file per version, never edited once
 * published); the answers name the version they answer. This file checks the
 * answers' shape and ranges; the resolvers check that named skills, groups,
 * occupations and pathways exist.
 */

export type MotivationRole = 'THRIVING_EARNER' | 'EMPOWERED_LEARNER' | 'ACTIVE_CITIZEN';

export interface Questionnaire {
  version: number;
  title: string;
  introduction: string;
  likert: { min: number; max: number; minLabel: string; maxLabel: string; items: { id: string; role: MotivationRole; text: string }[] };
}

/** The current questionnaire (the newest file). */
export const CURRENT_QUESTIONNAIRE = 1;

export function readQuestionnaire(version = CURRENT_QUESTIONNAIRE): Questionnaire {
  const questionnaire = JSON.parse(readFileSync(new URL(`./questionnaires/v${version}.json`, import.meta.url), 'utf8')) as Questionnaire;
  if (questionnaire.version !== version) throw new Error(`questionnaires/v${version}.json states version ${questionnaire.version}.`);
  return questionnaire;
}

export interface ScanAnswers {
  goals: { skillUris: string[]; skillGroupUris: string[]; occupationUri: string | null; pathwayId: string | null };
  interests: { sdgs: number[]; iscedFields: string[] };
  constraints: {
    languages: string[];
    modes: string[];
    hoursPerWeek: number | null;
    ectsBudget: number | null;
    startAfter: string | null;
    endBefore: string | null;
  };
  /** Likert item id → answer, within the questionnaire's scale. */
  motivation: Record<string, number>;
}

export interface ScanInput {
  skillUris?: string[] | null;
  skillGroupUris?: string[] | null;
  occupationUri?: string | null;
  pathwayId?: string | null;
  sdgs?: number[] | null;
  iscedFields?: string[] | null;
  languages?: string[] | null;
  modes?: string[] | null;
  hoursPerWeek?: number | null;
  ectsBudget?: number | null;
  startAfter?: string | null;
  endBefore?: string | null;
  motivation?: { item: string; value: number }[] | null;
}

const ESCO_SKILL = /^http:\/\/data\.europa\.eu\/esco\/skill\/[0-9a-f-]{36}$/;
const ESCO_GROUP = /^http:\/\/data\.europa\.eu\/esco\/(skill\/[0-9a-f-]{36}|isced-f\/\d{2,4})$/;
const ESCO_OCCUPATION = /^http:\/\/data\.europa\.eu\/esco\/occupation\/[0-9a-f-]{36}$/;
const ISCED_F = /^\d{2,4}$/;
const LANGUAGE = /^[a-z]{2}$/;
const MODES = ['ONLINE', 'BLENDED', 'PRESENTIAL', 'WORK_BASED'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function list<T>(values: readonly T[] | null | undefined, argument: string, max: number, check: (value: T) => boolean, what: string): T[] {
  const items = [...new Set(values ?? [])];
  if (items.length > max) throw badUserInput(`"${argument}" may name at most ${max} ${what}.`, argument);
  items.forEach((value, index) => {
    if (!check(value)) throw badUserInput(`"${argument}[${index}]" is not ${what.replace(/s$/, '')}: ${JSON.stringify(value).slice(0, 120)}.`, `${argument}[${index}]`);
  });
  return items;
}

function day(value: string | null | undefined, argument: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw badUserInput(`"${argument}" must be a day as YYYY-MM-DD.`, argument);
  }
  return value;
}

function number(value: number | null | undefined, argument: string, min: number, max: number, unit: string): number | null {
  if (value === null || value === undefined) return null;
  if (!Number.isFinite(value) || value < min || value > max) throw badUserInput(`"${argument}" must be from ${min} to ${max} ${unit}.`, argument);
  return value;
}

/** The answers, checked against the questionnaire; every bad field is refused naming it (under `input.`). */
export function checkedAnswers(
  input: ScanInput,
  questionnaire: Questionnaire,
  options: { at?: (field: string) => string; allowEmptyWindow?: boolean } = {},
): ScanAnswers {
  const at = options.at ?? ((field: string) => `input.${field}`);
  const answers: ScanAnswers = {
    goals: {
      skillUris: list(input.skillUris, at('skillUris'), 20, (uri) => ESCO_SKILL.test(uri), 'ESCO skill URIs'),
      skillGroupUris: list(input.skillGroupUris, at('skillGroupUris'), 10, (uri) => ESCO_GROUP.test(uri), 'ESCO skill group URIs'),
      occupationUri: input.occupationUri ? (ESCO_OCCUPATION.test(input.occupationUri) ? input.occupationUri : badUserInputThrow(`"${at('occupationUri')}" is not an ESCO occupation URI.`, at('occupationUri'))) : null,
      pathwayId: input.pathwayId ? (UUID_PATTERN.test(input.pathwayId) ? input.pathwayId : badUserInputThrow(`"${at('pathwayId')}" is not a pathway id.`, at('pathwayId'))) : null,
    },
    interests: {
      sdgs: list(input.sdgs, at('sdgs'), 17, (sdg) => Number.isInteger(sdg) && sdg >= 1 && sdg <= 17, 'SDGs (1 to 17)').sort((a, b) => a - b),
      iscedFields: list(input.iscedFields, at('iscedFields'), 20, (code) => ISCED_F.test(code), 'ISCED-F field codes'),
    },
    constraints: {
      languages: list(input.languages, at('languages'), 10, (code) => LANGUAGE.test(code), 'ISO 639-1 language codes'),
      modes: list(input.modes, at('modes'), 4, (mode) => MODES.includes(mode), 'learning modes'),
      hoursPerWeek: number(input.hoursPerWeek, at('hoursPerWeek'), 1, 60, 'hours a week'),
      ectsBudget: number(input.ectsBudget, at('ectsBudget'), 0.5, 120, 'ECTS'),
      startAfter: day(input.startAfter, at('startAfter')),
      endBefore: day(input.endBefore, at('endBefore')),
    },
    motivation: {},
  };
  const { startAfter, endBefore } = answers.constraints;
  if (startAfter && endBefore && startAfter > endBefore && !options.allowEmptyWindow) throw badUserInput(`"${at('endBefore')}" (${endBefore}) is before "${at('startAfter')}" (${startAfter}): no offering could fit.`, at('endBefore'));
  const items = new Map(questionnaire.likert.items.map((item) => [item.id, item]));
  (input.motivation ?? []).forEach((answer, index) => {
    const argument = at(`motivation[${index}]`);
    if (!items.has(answer.item)) throw badUserInput(`"${argument}.item" is not a question of version ${questionnaire.version}: ${JSON.stringify(answer.item).slice(0, 80)}.`, `${argument}.item`);
    if (!Number.isInteger(answer.value) || answer.value < questionnaire.likert.min || answer.value > questionnaire.likert.max) {
      throw badUserInput(`"${argument}.value" must be a whole number from ${questionnaire.likert.min} to ${questionnaire.likert.max}.`, `${argument}.value`);
    }
    if (answer.item in answers.motivation) throw badUserInput(`"${argument}.item" answers "${answer.item}" a second time.`, `${argument}.item`);
    answers.motivation[answer.item] = answer.value;
  });
  return answers;
}

function badUserInputThrow(message: string, argument: string): never {
  throw badUserInput(message, argument);
}

/** The mean answer per role (the white paper's three), over the items answered; null where none was. */
export function roleScores(answers: ScanAnswers, questionnaire: Questionnaire): Record<MotivationRole, number | null> {
  const roles: MotivationRole[] = ['THRIVING_EARNER', 'EMPOWERED_LEARNER', 'ACTIVE_CITIZEN'];
  return Object.fromEntries(
    roles.map((role) => {
      const values = questionnaire.likert.items.filter((item) => item.role === role && item.id in answers.motivation).map((item) => answers.motivation[item.id] as number);
      return [role, values.length > 0 ? Math.round((values.reduce((sum, value) => sum + value, 0) / values.length) * 100) / 100 : null];
    }),
  ) as Record<MotivationRole, number | null>;
}
