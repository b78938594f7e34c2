// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { badUserInput } from '../../lib/errors.js';
import { foldText } from '../../lib/text.js';
import { LearningMode, MicroCredentialType, OpportunityKind } from './enums.js';

@InputType({ description: 'Narrows an offerings list. All given conditions must hold.' })
export class OfferingFilter {
  @Field(() => String, {
    nullable: true,
    description: 'Text contained in the title, description or learning outcomes (2–200 characters; case and accents ignored).',
  })
  text?: string | null;

  @Field(() => [OpportunityKind], { nullable: true })
  kinds?: OpportunityKind[] | null;

  @Field(() => [MicroCredentialType], { nullable: true })
  microCredentialTypes?: MicroCredentialType[] | null;

  @Field(() => [Int], { nullable: true, description: 'EQF levels 1–8.' })
  eqfLevels?: number[] | null;

  @Field(() => Int, { nullable: true, description: 'A UN Sustainable Development Goal, 1–17.' })
  sdg?: number | null;

  @Field(() => String, { nullable: true, description: 'An ISO 639-1 language code, e.g. "en".' })
  language?: string | null;

  @Field(() => [LearningMode], { nullable: true })
  modes?: LearningMode[] | null;

  @Field(() => Boolean, { nullable: true })
  creditBearing?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'Only offerings with a learning outcome linked to this ESCO skill URI.' })
  skillUri?: string | null;

  @Field(() => [ID], { nullable: true, description: 'Only offerings of these members (member ids); the hub asks only these members.' })
  institutionIds?: string[] | null;

  @Field(() => LocalDateResolver, { nullable: true })
  startsOnOrAfter?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  startsOnOrBefore?: string | null;
}

const MAX_LIST = 50;

function checkList(values: readonly unknown[] | null | undefined, argument: string): void {
  if (values && values.length > MAX_LIST) throw badUserInput(`"${argument}" may list at most ${MAX_LIST} values.`, argument);
}

/**
 * Checks the filter beyond what GraphQL's types can say, with messages that
 * name the offending field. Shared by the member subgraph and the router so
 * both reject the same inputs the same way.
 */
export function validateOfferingFilter(filter: OfferingFilter | null | undefined): void {
  if (!filter) return;
  if (filter.text !== null && filter.text !== undefined) {
    // Measured after folding, as it is searched: "´´" folds to nothing and must not become "no filter".
    const length = foldText(filter.text).length;
    if (length < 2 || filter.text.length > 200) {
      throw badUserInput('"filter.text" must be 2 to 200 characters long (letters that count, accents aside).', 'filter.text');
    }
  }
  checkList(filter.kinds, 'filter.kinds');
  checkList(filter.microCredentialTypes, 'filter.microCredentialTypes');
  checkList(filter.modes, 'filter.modes');
  checkList(filter.institutionIds, 'filter.institutionIds');
  checkList(filter.eqfLevels, 'filter.eqfLevels');
  for (const level of filter.eqfLevels ?? []) {
    if (level < 1 || level > 8) throw badUserInput(`"filter.eqfLevels" values must be 1 to 8; got ${level}.`, 'filter.eqfLevels');
  }
  if (filter.sdg !== null && filter.sdg !== undefined && (filter.sdg < 1 || filter.sdg > 17)) {
    throw badUserInput(`"filter.sdg" must be 1 to 17; got ${filter.sdg}.`, 'filter.sdg');
  }
  if (filter.language !== null && filter.language !== undefined && !/^[a-z]{2}$/.test(filter.language)) {
    throw badUserInput('"filter.language" must be a two-letter ISO 639-1 code such as "en".', 'filter.language');
  }
  if (filter.skillUri !== null && filter.skillUri !== undefined && !/^https?:\/\/\S{1,240}$/.test(filter.skillUri)) {
    throw badUserInput('"filter.skillUri" must be an ESCO skill URI.', 'filter.skillUri');
  }
  if (filter.startsOnOrAfter && filter.startsOnOrBefore && filter.startsOnOrAfter > filter.startsOnOrBefore) {
    throw badUserInput('"filter.startsOnOrAfter" is later than "filter.startsOnOrBefore".', 'filter.startsOnOrAfter');
  }
}
