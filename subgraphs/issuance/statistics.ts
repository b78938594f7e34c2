// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Ctx, Directive, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { forbidden, hasRole, requireSignedIn } from '../../lib/access.js';
import type { IssuanceContext } from './context.js';
import { IssuedCredential } from './records.js';

/*
 * Credential counts, counted where the credentials are: issued and revoked
 * per member, kind and month, for the analytics service, which publishes them
 * after suppression (docs/analytics.md). Exact counts, hence hidden from
 * clients. Only the three columns counted are read, in pages, and summed
 * here: nothing about a learner leaves the service.
 */

@ObjectType({ description: 'Credentials of one member, kind and month (YYYY-MM, UTC).' })
export class CredentialCount {
  @Field(() => String)
  member!: string;

  @Field(() => String)
  kind!: string;

  @Field(() => String, { description: 'The month the credentials were issued.' })
  month!: string;

  @Field(() => Int)
  issued!: number;

  @Field(() => Int, { description: 'Of those, revoked since (whenever the revocation happened).' })
  revoked!: number;
}

const PAGE = 5_000;

@Resolver()
export class CredentialStatisticsResolver {
  @Directive('@inaccessible')
  @Query(() => [CredentialCount], { description: 'Credentials issued and revoked per member, kind and month, for the analytics service (analysts, alliance administrators).' })
  async credentialCounts(@Ctx() context: IssuanceContext): Promise<CredentialCount[]> {
    const caller = requireSignedIn(context.principal, 'credential counts');
    if (!hasRole(caller, 'analyst') && !hasRole(caller, 'alliance-admin')) throw forbidden('Credential counts are for analysts and alliance administrators.');
    const groups = new Map<string, CredentialCount>();
    for (let after = 0; ; ) {
      const page = await context.em.find(IssuedCredential, { serial: { $gt: after } }, { fields: ['serial', 'memberId', 'kind', 'issuedAt', 'revokedAt'], orderBy: { serial: 'asc' }, limit: PAGE });
      for (const credential of page) {
        const month = credential.issuedAt.toISOString().slice(0, 7);
        const key = `${credential.memberId}\u0000${credential.kind}\u0000${month}`;
        const group = groups.get(key) ?? { member: credential.memberId, kind: String(credential.kind), month, issued: 0, revoked: 0 };
        group.issued += 1;
        if (credential.revokedAt) group.revoked += 1;
        groups.set(key, group);
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.serial;
    }
    return [...groups.values()].sort((a, b) => a.member.localeCompare(b.member) || a.kind.localeCompare(b.kind) || a.month.localeCompare(b.month));
  }
}
