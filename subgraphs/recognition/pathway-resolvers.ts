// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn, type SignedIn } from '../../lib/access.js';
import { badUserInput } from '../../lib/errors.js';
import { requestIdempotencyKey } from '../../lib/idempotency.js';
import { MAX_PAGE_SIZE } from '../../lib/pagination.js';
import { OpportunityKind } from '../member/enums.js';
import { audit, idempotentWrite } from './audit.js';
import type { RecognitionContext } from './context.js';
import { readComponents, searchSuggestions, type SuggestionSearch } from './learner-components.js';
import { Institution, Learner } from './model.js';
import { Pathway, PathwayComponent, PathwayInput, PathwayProgress, PathwayRequirement } from './pathway-model.js';
import { PathwayRequirementKind } from './enums.js';
import { checkedPathway, evaluateProgress, requirementsOf, type RequirementSpec } from './pathways.js';
import { listOf as list, Pathway as PathwayRow, PathwayFollow, type RecognitionRequest as RequestRow } from './records.js';
import { knownMemberId } from './rule-resolvers.js';
import { UUID_PATTERN } from '../../lib/ids.js';

/** Offerings suggested per open requirement. */
const SUGGESTIONS = 5;

const CLIENT_KEY = { nullable: true, description: 'An idempotency key (or the Idempotency-Key header): a retry with the same key gets the same answer.' };

function pathwayNotFound(argument = 'id'): GraphQLError {
  return new GraphQLError('There is no pathway with this id.', { extensions: { code: 'NOT_FOUND', argument } });
}

/** The owner's staff for a member's pathway; alliance administrators for every pathway. */
function checkMayManage(caller: SignedIn, ownerMemberId: string | null): void {
  if (hasRole(caller, 'alliance-admin')) return;
  if (ownerMemberId && hasRole(caller, 'member-staff') && caller.memberId === ownerMemberId) return;
  throw forbidden(ownerMemberId ? `Only staff of ${ownerMemberId} and alliance administrators edit its pathways.` : 'Only alliance administrators edit alliance pathways.');
}

function requirementView(spec: RequirementSpec): PathwayRequirement {
  return { kind: spec.kind, title: spec.title, offerings: (spec.offeringIds ?? []).map((id) => ({ id })), count: spec.count ?? null, sdg: spec.sdg ?? null, skill: spec.skillUri ? { uri: spec.skillUri } : null };
}

function pathwayState(row: PathwayRow): Record<string, unknown> {
  const { createdAt: _created, updatedAt: _updated, ...rest } = row;
  return rest;
}

/**
 * Progress along pathways: the learner themselves and alliance
 * administrators; along one pathway also the owner's staff, for a learner who
 * follows it (following is the learner asking the owner to count their
 * progress). What anyone but the learner sees of the components is what the
 * members let them read (the learner's sharing grants).
 */
async function progressReader(context: RecognitionContext, learnerId: string, pathway?: PathwayRow): Promise<SignedIn> {
  const caller = requireSignedIn(context.principal, 'pathway progress');
  if ((hasRole(caller, 'learner') && caller.learnerId === learnerId) || hasRole(caller, 'alliance-admin')) return caller;
  if (pathway?.ownerMemberId && hasRole(caller, 'member-staff') && caller.memberId === pathway.ownerMemberId) {
    if (await context.em.findOne(PathwayFollow, { learnerId, pathwayId: pathway.id })) return caller;
  }
  throw forbidden(
    pathway?.ownerMemberId
      ? `Only the learner, alliance administrators and, for a learner who follows it, staff of ${pathway.ownerMemberId} see a learner's progress along this pathway.`
      : "Only the learner and alliance administrators see a learner's progress along pathways.",
  );
}

/** `only`: one pathway; otherwise every active pathway and every followed one. */
async function progressFor(context: RecognitionContext, learnerId: string, only?: PathwayRow): Promise<PathwayProgress[]> {
  const caller = await progressReader(context, learnerId, only);
  const [follows, { components, planned, unavailable }] = await Promise.all([context.em.find(PathwayFollow, { learnerId }), readComponents(context.service, caller, learnerId)]);
  const followed = new Set(follows.map((follow) => follow.pathwayId));
  const pathways = only
    ? [only]
    : await context.em.find(PathwayRow, { $or: [{ active: true }, { id: { $in: [...followed] } }] }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  // The recognition requests that stand as components, as rows (the same subgraph resolves their fields).
  const rows = await Promise.all(components.filter((component) => component.source === 'RECOGNITION').map((component) => context.loaders.request.load(component.id)));
  const requests = new Map(rows.filter((row): row is RequestRow => Boolean(row)).map((row) => [row.id, row]));
  // Progress as it stands, and as it would stand once the open enrolments are passed.
  const evaluated = pathways.map((pathway) => ({ pathway, progress: evaluateProgress(pathway, components), projected: evaluateProgress(pathway, [...components, ...planned]) }));
  // Offerings done or being done are not suggested again.
  const done = new Set([...components, ...planned].filter((component) => component.offeringId).map((component) => component.offeringId as string));
  const plannedById = new Map(planned.map((component) => [component.id, component]));
  // Open CHALLENGE and SKILL requirements: one catalogue search each, all in one call (none when nothing is open).
  const searchFor = (pathway: PathwayRow, spec: RequirementSpec): SuggestionSearch | null => {
    const members = list(pathway.memberList);
    const within = members.length > 0 ? { institutionIds: members } : {};
    if (spec.kind === PathwayRequirementKind.CHALLENGE) return { kinds: ['CHALLENGE'], ...(spec.sdg ? { sdg: spec.sdg } : {}), ...within };
    if (spec.kind === PathwayRequirementKind.SKILL && spec.skillUri) return { skillUri: spec.skillUri, ...within };
    return null;
  };
  const searches = evaluated.flatMap(({ pathway, progress }) => progress.requirements.filter((verdict) => !verdict.satisfied).flatMap((verdict) => searchFor(pathway, verdict.spec) ?? []));
  const found = await searchSuggestions(context.service, caller, searches, Math.min(MAX_PAGE_SIZE, SUGGESTIONS + done.size));
  const suggestionsFor = (pathway: PathwayRow, spec: RequirementSpec): string[] => {
    const search = searchFor(pathway, spec);
    return (search ? found(search) : (spec.offeringIds ?? [])).filter((id) => !done.has(id)).slice(0, SUGGESTIONS);
  };
  return evaluated.map(({ pathway, progress, projected }) => {
    const open = progress.requirements.filter((verdict) => !verdict.satisfied);
    const enrolments = projected.components
      .filter((verdict) => verdict.counts && verdict.component.source === 'ENROLMENT')
      .map(({ component }) => ({
        enrolment: { id: component.id },
        status: plannedById.get(component.id)?.status ?? 'APPLIED',
        offering: { id: component.offeringId as string },
        ects: component.ects,
        helpsWith: open.filter((verdict) => projected.requirements.find((next) => next.spec.title === verdict.spec.title && next.spec.kind === verdict.spec.kind)?.satisfiedBy.includes(component.id)).map((verdict) => verdict.spec.title),
      }));
    return {
      enrolments,
      completeOnPassing: projected.complete,
      pathway: pathway as unknown as Pathway,
      following: followed.has(pathway.id),
      complete: progress.complete,
      ectsCounted: progress.ectsCounted,
      ectsMissing: progress.ectsMissing,
      membersCounted: progress.membersCounted.map((id) => ({ id })),
      unavailableMembers: unavailable.map((id) => ({ id })),
      requirements: progress.requirements.map((verdict) => ({
        requirement: requirementView(verdict.spec),
        satisfied: verdict.satisfied,
        status: verdict.status,
        satisfiedBy: verdict.satisfiedBy,
        suggestions: verdict.satisfied ? [] : suggestionsFor(pathway, verdict.spec).map((id) => ({ id })),
      })),
      components: progress.components.map(({ component, counts, reason }) => ({
        achievementId: component.source === 'ACHIEVEMENT' ? component.id : null,
        recognition: component.source === 'RECOGNITION' ? ((requests.get(component.id) ?? null) as unknown as PathwayComponent['recognition']) : null,
        credentialId: component.credentialId,
        title: component.title,
        institution: { id: component.memberId },
        offering: component.offeringId ? { id: component.offeringId } : null,
        ects: component.ects,
        assessedOn: component.assessedOn,
        counts,
        reason,
      })),
    };
  });
}

@Resolver(() => Learner)
export class LearnerPathwayResolver {
  @FieldResolver(() => [PathwayProgress], {
    nullable: true,
    description:
      "The learner's progress along every pathway they follow or have something counting towards, complete ones first (the learner, alliance administrators). One call each to the learners subgraph, issuance and the member router, however many achievements.",
  })
  async pathways(@Root() learner: Learner, @Ctx() context: RecognitionContext): Promise<PathwayProgress[]> {
    const all = await progressFor(context, learner.id);
    return all
      .filter((item) => item.following || item.components.some((component) => component.counts) )
      .sort((a, b) => Number(b.complete) - Number(a.complete) || b.ectsCounted / b.pathway.ectsMin - a.ectsCounted / a.pathway.ectsMin);
  }

  @FieldResolver(() => PathwayProgress, {
    nullable: true,
    description: "The learner's progress along one pathway, followed or not (the learner, alliance administrators; the owner's staff for a learner who follows it, seeing what the learner shares with their member).",
  })
  async pathwayProgress(@Root() learner: Learner, @Arg('pathwayId', () => ID) pathwayId: string, @Ctx() context: RecognitionContext): Promise<PathwayProgress | null> {
    requireSignedIn(context.principal, 'pathway progress');
    const pathway = UUID_PATTERN.test(pathwayId) ? await context.em.findOne(PathwayRow, { id: pathwayId }) : null;
    if (!pathway) throw pathwayNotFound('pathwayId');
    await progressReader(context, learner.id, pathway);
    const [progress] = await progressFor(context, learner.id, pathway);
    return progress ?? null;
  }
}

@Resolver(() => Pathway)
export class PathwayResolver {
  // Nullable like every root list (docs/routing.md): with recognition down, `{ institutions pathways }` keeps the institutions.
  @Query(() => [Pathway], { nullable: true, description: 'Published pathways (anyone may read them), oldest first: a member\'s, the alliance\'s (`allianceOnly`), or all.' })
  pathways(
    @Ctx() context: RecognitionContext,
    @Arg('ownerMemberId', () => ID, { nullable: true }) ownerMemberId?: string | null,
    @Arg('allianceOnly', () => Boolean, { defaultValue: false }) allianceOnly?: boolean,
    @Arg('includeInactive', () => Boolean, { defaultValue: false }) includeInactive?: boolean,
  ): Promise<PathwayRow[]> {
    if (ownerMemberId) knownMemberId(context, ownerMemberId, 'ownerMemberId');
    if (ownerMemberId && allianceOnly) throw badUserInput('Name "ownerMemberId" or set "allianceOnly", not both: a pathway has one owner.', 'allianceOnly');
    const owner = allianceOnly ? { ownerMemberId: null } : ownerMemberId ? { ownerMemberId } : {};
    return context.em.find(PathwayRow, { ...owner, ...(includeInactive ? {} : { active: true }) }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  @Query(() => Pathway, { nullable: true, description: 'A pathway by id.' })
  pathway(@Arg('id', () => ID) id: string, @Ctx() context: RecognitionContext): Promise<PathwayRow | null> {
    return UUID_PATTERN.test(id) ? context.em.findOne(PathwayRow, { id }) : Promise.resolve(null);
  }

  @Mutation(() => Pathway, { description: "Publishes a pathway (a member's: its staff or alliance administrators; the alliance's: alliance administrators)." })
  async createPathway(@Arg('input', () => PathwayInput) input: PathwayInput, @Ctx() context: RecognitionContext, @Arg('clientKey', () => String, CLIENT_KEY) clientKey?: string | null): Promise<PathwayRow> {
    const caller = requireSignedIn(context.principal, 'pathways');
    const fields = checkedPathway(input, context.service.knownMembers);
    checkMayManage(caller, fields.ownerMemberId ?? null);
    const now = context.service.now();
    const by = caller.subject.slice(0, 255);
    const { value } = await idempotentWrite(
      context.em,
      caller,
      {
        operation: 'createPathway',
        request: input,
        key: requestIdempotencyKey(context.idempotencyKey, clientKey, 'clientKey'),
        prepare: async () => undefined,
        write: async (tx) => {
          const row = tx.create(PathwayRow, { ...fields, id: randomUUID(), version: 1, createdAt: now, createdBy: by, updatedAt: now, updatedBy: by } as PathwayRow);
          audit(tx, caller, 'createPathway', { type: 'Pathway', id: row.id }, null, pathwayState(row), now);
          return row.id;
        },
        answer: async (id) => (await context.em.fork().findOne(PathwayRow, { id })) ?? Promise.reject(pathwayNotFound()),
      },
      now,
    );
    return value;
  }

  @Mutation(() => Pathway, { description: 'Edits a pathway (as createPathway): every field is replaced, the version goes up, the audit trail keeps before and after. The owner cannot change.' })
  async updatePathway(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => PathwayInput) input: PathwayInput,
    @Ctx() context: RecognitionContext,
    @Arg('clientKey', () => String, CLIENT_KEY) clientKey?: string | null,
  ): Promise<PathwayRow> {
    const caller = requireSignedIn(context.principal, 'pathways');
    const fields = checkedPathway(input, context.service.knownMembers);
    const now = context.service.now();
    const { value } = await idempotentWrite(
      context.em,
      caller,
      {
        operation: 'updatePathway',
        request: [id, input],
        key: requestIdempotencyKey(context.idempotencyKey, clientKey, 'clientKey'),
        prepare: async () => undefined,
        write: async (tx) => {
          const row = UUID_PATTERN.test(id) ? await tx.findOne(PathwayRow, { id }) : null;
          if (!row) throw pathwayNotFound();
          checkMayManage(caller, row.ownerMemberId ?? null);
          if ((fields.ownerMemberId ?? null) !== (row.ownerMemberId ?? null)) throw badUserInput(`"input.ownerMemberId" must stay ${row.ownerMemberId ?? 'unset (an alliance pathway)'}: a pathway keeps its owner.`, 'input.ownerMemberId');
          const before = pathwayState(row);
          const moved = await tx.nativeUpdate(PathwayRow, { id, version: row.version }, { ...fields, version: row.version + 1, updatedAt: now, updatedBy: caller.subject.slice(0, 255) });
          if (moved !== 1) throw new GraphQLError('The pathway was edited by someone else meanwhile; read it again.', { extensions: { code: 'INVALID_STATE', argument: 'id' } });
          audit(tx, caller, 'updatePathway', { type: 'Pathway', id }, before, { ...before, ...fields, version: row.version + 1 }, now);
          return id;
        },
        answer: async (pathwayId) => (await context.em.fork().findOne(PathwayRow, { id: pathwayId })) ?? Promise.reject(pathwayNotFound()),
      },
      now,
    );
    return value;
  }

  @Mutation(() => Pathway, { description: 'Follows a pathway (learners): it then shows in your progress before anything counts. Following it again changes nothing.' })
  async followPathway(@Arg('pathwayId', () => ID) pathwayId: string, @Ctx() context: RecognitionContext): Promise<PathwayRow> {
    return this.setFollowing(context, pathwayId, true);
  }

  @Mutation(() => Pathway, { description: 'Stops following a pathway (learners). Unfollowing one you do not follow changes nothing.' })
  async unfollowPathway(@Arg('pathwayId', () => ID) pathwayId: string, @Ctx() context: RecognitionContext): Promise<PathwayRow> {
    return this.setFollowing(context, pathwayId, false);
  }

  private async setFollowing(context: RecognitionContext, pathwayId: string, follow: boolean): Promise<PathwayRow> {
    const caller = requireSignedIn(context.principal, 'pathways');
    if (!hasRole(caller, 'learner') || !caller.learnerId) throw forbidden('Only a learner follows pathways.');
    const learnerId = caller.learnerId;
    const pathway = UUID_PATTERN.test(pathwayId) ? await context.em.findOne(PathwayRow, { id: pathwayId }) : null;
    if (!pathway) throw pathwayNotFound('pathwayId');
    const now = context.service.now();
    await context.em.fork().transactional(async (tx) => {
      const existing = await tx.findOne(PathwayFollow, { learnerId, pathwayId });
      if (follow === Boolean(existing)) return;
      if (follow) tx.create(PathwayFollow, { learnerId, pathwayId, followedAt: now } as PathwayFollow);
      else tx.remove(existing as PathwayFollow);
      audit(tx, caller, follow ? 'followPathway' : 'unfollowPathway', { type: 'Pathway', id: pathwayId }, { following: !follow }, { following: follow }, now);
    });
    return pathway;
  }

  @FieldResolver(() => Institution, { nullable: true })
  owner(@Root() row: PathwayRow): Institution | null {
    return row.ownerMemberId ? { id: row.ownerMemberId } : null;
  }

  @FieldResolver(() => [Int], { nullable: true })
  sdgs(@Root() row: PathwayRow): number[] | null {
    return row.sdgList ? list(row.sdgList).map(Number) : null;
  }

  @FieldResolver(() => [Institution], { nullable: true })
  members(@Root() row: PathwayRow): Institution[] | null {
    return row.memberList ? list(row.memberList).map((id) => ({ id })) : null;
  }

  @FieldResolver(() => [OpportunityKind], { nullable: true })
  opportunityKinds(@Root() row: PathwayRow): OpportunityKind[] | null {
    return row.kindList ? (list(row.kindList) as OpportunityKind[]) : null;
  }

  @FieldResolver(() => [PathwayRequirement])
  requirements(@Root() row: PathwayRow): PathwayRequirement[] {
    return requirementsOf(row).map(requirementView);
  }
}
