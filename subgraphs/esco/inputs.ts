// type-graphql's decorators need the Reflect metadata polyfill loaded before they run, whichever module is imported first.
import 'reflect-metadata';
import { Field, InputType } from 'type-graphql';
import { badUserInput } from '../../lib/errors.js';
import { foldText } from '../../lib/text.js';
import { ReuseLevel, SkillCollection, SkillType } from './enums.js';

@InputType({ description: 'Narrows a skills list. All given conditions must hold.' })
export class SkillFilter {
  @Field(() => SkillType, { nullable: true })
  skillType?: SkillType | null;

  @Field(() => ReuseLevel, { nullable: true })
  reuseLevel?: ReuseLevel | null;

  @Field(() => SkillCollection, { nullable: true, description: 'Only skills of this ESCO collection.' })
  collection?: SkillCollection | null;
}

export const MIN_SEARCH_LENGTH = 2;
export const MAX_SEARCH_LENGTH = 200;
const MAX_URI_LENGTH = 500;

/**
 * Checks a search text and returns its folded form (what the stored search
 * columns hold), or undefined when no search was given.
 */
export function foldedSearch(search: string | null | undefined, argument = 'search'): string | undefined {
  if (search === null || search === undefined) return undefined;
  const length = search.trim().length;
  if (length < MIN_SEARCH_LENGTH || length > MAX_SEARCH_LENGTH) {
    throw badUserInput(`"${argument}" must be ${MIN_SEARCH_LENGTH} to ${MAX_SEARCH_LENGTH} characters long; got ${length}.`, argument);
  }
  const folded = foldText(search);
  // Measured again after folding, as it is searched: combining marks fold away ("a\u0301" is one letter).
  if (folded.length < MIN_SEARCH_LENGTH) {
    throw badUserInput(`"${argument}" must contain at least ${MIN_SEARCH_LENGTH} letters, digits or punctuation marks (accents aside).`, argument);
  }
  return folded;
}

/** Checks that an argument looks like an ESCO URI (http or https, no spaces). */
export function checkUri(uri: string, argument = 'uri'): string {
  if (uri.length > MAX_URI_LENGTH || !/^https?:\/\/\S+$/.test(uri)) {
    throw badUserInput(`"${argument}" must be an http(s) URI such as "http://data.europa.eu/esco/skill/…".`, argument);
  }
  return uri;
}
