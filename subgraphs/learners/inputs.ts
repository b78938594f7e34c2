// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { DateTimeISOResolver } from 'graphql-scalars';
import { Field, ID, InputType } from 'type-graphql';
import { ConsentPurpose, ConsentScope } from './enums.js';

@InputType({ description: 'A verifier outside the alliance, named by the learner.' })
export class VerifierInput {
  @Field(() => String, { description: 'Its name (2–200 characters).' })
  name!: string;

  @Field(() => String, { description: 'Its identifier: https://…, did:… or mailto:… (at most 500 characters).' })
  id!: string;
}

@InputType({
  description:
    'What to share, with whom, why and until when. Name exactly one recipient: `memberId` (that member\'s staff) or `verifier`.',
})
export class GrantConsentInput {
  @Field(() => ID, { nullable: true, description: 'The member whose staff may read the records, e.g. "tuni.fi".' })
  memberId?: string | null;

  @Field(() => VerifierInput, { nullable: true, description: 'A named verifier outside the alliance.' })
  verifier?: VerifierInput | null;

  @Field(() => ConsentPurpose)
  purpose!: ConsentPurpose;

  @Field(() => String, { nullable: true, description: 'The purpose in your words (up to 500 characters; required for OTHER).' })
  purposeDescription?: string | null;

  @Field(() => [ConsentScope], { description: 'Which records to share (at least one).' })
  scopes!: ConsentScope[];

  @Field(() => [ID], {
    nullable: true,
    description: 'Share only the records held by these members (where you have an account); omitted: every member\'s.',
  })
  sourceMemberIds?: string[] | null;

  @Field(() => DateTimeISOResolver, {
    nullable: true,
    description: 'When the grant ends: in the future and at most 2 years ahead. Default: 180 days from now.',
  })
  expiresAt?: Date | null;
}
