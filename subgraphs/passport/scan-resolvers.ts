// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { auditedWrites } from '../../lib/audited-writes.js';
import { badUserInput } from '../../lib/errors.js';
import { requestIdempotencyKey } from '../../lib/idempotency.js';
import type { LearningMode } from '../member/enums.js';
import type { PassportContext } from './context.js';
import { Learner } from './model.js';
import { MotivationScan, PassportAudit, PassportIdempotency } from './records.js';
import { checkedAnswers, CURRENT_QUESTIONNAIRE, roleScores, type Questionnaire as QuestionnaireData, type ScanAnswers } from './scan.js';
import { MotivationRole, MotivationScanInput, MotivationScanView, Questionnaire } from './scan-model.js';
import { call } from './sources.js';

const writes = () => auditedWrites(PassportAudit, PassportIdempotency);

function questionnaireView(data: QuestionnaireData): Questionnaire {
  return {
    version: data.version,
    title: data.title,
    introduction: data.introduction,
    likertMin: data.likert.min,
    likertMax: data.likert.max,
    likertMinLabel: data.likert.minLabel,
    likertMaxLabel: data.likert.maxLabel,
    items: data.likert.items.map((item) => ({ id: item.id, role: item.role as MotivationRole, text: item.text })),
  };
}

function scanView(row: MotivationScan, questionnaire: QuestionnaireData): MotivationScanView {
  const answers = JSON.parse(row.answers) as ScanAnswers;
  return {
    questionnaireVersion: row.questionnaireVersion,
    revision: row.revision,
    goals: {
      skills: answers.goals.skillUris.map((uri) => ({ uri })),
      skillGroups: answers.goals.skillGroupUris.map((uri) => ({ uri })),
      occupation: answers.goals.occupationUri ? { uri: answers.goals.occupationUri } : null,
      pathway: answers.goals.pathwayId ? { id: answers.goals.pathwayId } : null,
    },
    interests: answers.interests,
    constraints: { ...answers.constraints, modes: answers.constraints.modes as LearningMode[] },
    motivation: Object.entries(answers.motivation).map(([item, value]) => ({ item, value })),
    roles: Object.entries(roleScores(answers, questionnaire)).map(([role, score]) => ({ role: role as MotivationRole, score })),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The scan is the learner's own: nobody else reads it (analysts get k-anonymous counts only, issue 13). */
function ownLearner(context: PassportContext, learnerId: string | null, what: string): SignedIn & { learnerId: string } {
  const caller = requireSignedIn(context.principal, what);
  if (!hasRole(caller, 'learner') || !caller.learnerId || (learnerId !== null && caller.learnerId !== learnerId)) {
    throw forbidden('A motivation scan is seen and changed by its learner only.');
  }
  return caller as SignedIn & { learnerId: string };
}

const EXISTS = /* GraphQL */ `
  query ScanGoalsExist($skills: [_Any!]!, $groups: [_Any!]!, $occupations: [_Any!]!) {
    skills: _entities(representations: $skills) { ... on Skill { uri } }
    groups: _entities(representations: $groups) { ... on SkillGroup { uri } }
    occupations: _entities(representations: $occupations) { ... on Occupation { uri } }
  }
`;
const PATHWAY_EXISTS = /* GraphQL */ `query ScanPathwayExists($refs: [_Any!]!) { pathways: _entities(representations: $refs) { ... on Pathway { id } } }`;

/** Refuses goals ESCO or recognition do not know, naming the field and index: one call to each, and none when nothing is named. */
async function checkGoalsExist(context: PassportContext, caller: SignedIn, answers: ScanAnswers): Promise<void> {
  const { skillUris, skillGroupUris, occupationUri, pathwayId } = answers.goals;
  const [esco, recognition] = await Promise.all([
    skillUris.length + skillGroupUris.length + (occupationUri ? 1 : 0) > 0
      ? call(context.service.sources, 'esco', caller, EXISTS, {
          skills: skillUris.map((uri) => ({ __typename: 'Skill', uri })),
          groups: skillGroupUris.map((uri) => ({ __typename: 'SkillGroup', uri })),
          occupations: occupationUri ? [{ __typename: 'Occupation', uri: occupationUri }] : [],
        }, 'nothing was saved')
      : undefined,
    pathwayId ? call(context.service.sources, 'recognition', caller, PATHWAY_EXISTS, { refs: [{ __typename: 'Pathway', id: pathwayId }] }, 'nothing was saved') : undefined,
  ]);
  const found = (field: string) => ((esco?.data?.[field] as ({ uri: string } | null)[] | undefined) ?? []).map((item) => item?.uri ?? null);
  found('skills').forEach((uri, index) => {
    if (uri !== skillUris[index]) throw badUserInput(`"input.skillUris[${index}]" is not a skill ESCO knows: ${skillUris[index]}.`, `input.skillUris[${index}]`);
  });
  found('groups').forEach((uri, index) => {
    if (uri !== skillGroupUris[index]) throw badUserInput(`"input.skillGroupUris[${index}]" is not a skill group ESCO knows: ${skillGroupUris[index]}.`, `input.skillGroupUris[${index}]`);
  });
  if (esco && found('skills').length !== skillUris.length) throw badUserInput('ESCO could not check "input.skillUris"; nothing was saved.', 'input.skillUris');
  if (occupationUri && found('occupations')[0] !== occupationUri) throw badUserInput(`"input.occupationUri" is not an occupation ESCO knows: ${occupationUri}.`, 'input.occupationUri');
  if (pathwayId && (recognition?.data?.['pathways'] as ({ id: string } | null)[] | undefined)?.[0]?.id !== pathwayId) {
    throw badUserInput('"input.pathwayId" is not a published pathway.', 'input.pathwayId');
  }
}

@Resolver(() => Questionnaire)
export class QuestionnaireResolver {
  @Query(() => Questionnaire, { description: 'The motivation scan questionnaire (anyone): the current version, or an earlier one.' })
  motivationQuestionnaire(@Ctx() context: PassportContext, @Arg('version', () => Int, { nullable: true }) version?: number | null): Questionnaire {
    const wanted = version ?? CURRENT_QUESTIONNAIRE;
    const data = context.service.questionnaires.get(wanted);
    if (!data) throw badUserInput(`There is no questionnaire version ${wanted}; the current one is ${CURRENT_QUESTIONNAIRE}.`, 'version');
    return questionnaireView(data);
  }
}

@Resolver(() => Learner)
export class LearnerScanResolver {
  @FieldResolver(() => MotivationScanView, { nullable: true, description: 'The learner\'s motivation scan; null until they fill it in (the learner only).' })
  async motivationScan(@Root() learner: Learner, @Ctx() context: PassportContext): Promise<MotivationScanView | null> {
    ownLearner(context, learner.id, 'motivation scans');
    const row = await context.em.findOne(MotivationScan, { learnerId: learner.id });
    return row ? scanView(row, context.service.questionnaires.get(row.questionnaireVersion) as QuestionnaireData) : null;
  }
}

@Resolver(() => MotivationScanView)
export class ScanResolver {
  @Mutation(() => MotivationScanView, { description: 'Fills in or replaces your motivation scan (learners), answering the current questionnaire. Named skills, groups, occupations and pathways must exist.' })
  async saveMotivationScan(
    @Arg('input', () => MotivationScanInput) input: MotivationScanInput,
    @Ctx() context: PassportContext,
    @Arg('clientKey', () => String, { nullable: true, description: 'An idempotency key (or the Idempotency-Key header).' }) clientKey?: string | null,
  ): Promise<MotivationScanView> {
    const caller = ownLearner(context, null, 'motivation scans');
    const questionnaire = context.service.questionnaires.get(CURRENT_QUESTIONNAIRE) as QuestionnaireData;
    const answers = checkedAnswers(input, questionnaire);
    const now = context.service.now();
    const { value } = await writes().idempotentWrite(
      context.em,
      caller,
      {
        operation: 'saveMotivationScan',
        request: answers,
        key: requestIdempotencyKey(context.idempotencyKey, clientKey ?? null),
        prepare: () => checkGoalsExist(context, caller, answers),
        write: async (tx) => {
          const row = await tx.findOne(MotivationScan, { learnerId: caller.learnerId });
          const before = row ? { ...row } : null;
          const saved = row ?? Object.assign(new MotivationScan(), { learnerId: caller.learnerId, createdAt: now, revision: 0 });
          Object.assign(saved, { questionnaireVersion: questionnaire.version, answers: JSON.stringify(answers), revision: saved.revision + 1, updatedAt: now });
          tx.persist(saved);
          writes().audit(tx, caller, 'saveMotivationScan', { type: 'MotivationScan', id: caller.learnerId }, before, { ...saved }, now);
          return caller.learnerId;
        },
        answer: async (id) => {
          const row = await context.em.fork().findOneOrFail(MotivationScan, { learnerId: id });
          return scanView(row, context.service.questionnaires.get(row.questionnaireVersion) as QuestionnaireData);
        },
      },
      now,
    );
    return value;
  }

  @Mutation(() => Boolean, { description: 'Deletes your motivation scan (learners). False when there was none.' })
  async deleteMotivationScan(@Ctx() context: PassportContext): Promise<boolean> {
    const caller = ownLearner(context, null, 'motivation scans');
    const now = context.service.now();
    return context.em.fork().transactional(async (tx) => {
      const row = await tx.findOne(MotivationScan, { learnerId: caller.learnerId });
      if (!row) return false;
      const before = { ...row };
      await tx.nativeDelete(MotivationScan, { learnerId: caller.learnerId });
      writes().audit(tx, caller, 'deleteMotivationScan', { type: 'MotivationScan', id: caller.learnerId }, before, null, now);
      return true;
    });
  }
}
