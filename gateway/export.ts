import type { ApolloServer } from '@apollo/server';
import type { Express, RequestHandler } from 'express';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from './context.js';
import { callerOf } from './identify.js';

/*
 * GDPR data portability (Art. 20): a learner downloads everything the hub
 * holds about them as one JSON file. The file is assembled through the graph
 * with the learner's own identity, so it contains exactly what the access
 * rules let the learner see, from every member that holds their records and
 * the issuance service (the learner's credentials, sealed), the passport
 * (skills, the external credentials the learner added, the motivation scan), and
 * nothing the learner could not query themselves.
 */

export const EXPORT_PATH = '/learners/me/export';
export const EXPORT_FORMAT = 'eciu-hub-learner-export';
export const EXPORT_VERSION = 1;

/** Everything about a learner, across the learner register and every member holding their records. */
export const EXPORT_QUERY = /* GraphQL */ `
  query LearnerDataExport($id: ID!) {
    learner(id: $id) {
      id
      createdAt
      memberAccounts {
        id
        studentNumber
        givenName
        familyName
        email
        createdAt
        institution { id name country }
      }
      enrolments {
        id
        status
        enrolledAt
        statusChangedAt
        opportunity { id code title ects institution { id } }
      }
      achievements {
        id
        assessedOn
        grade
        passed
        ectsAwarded
        supervision
        gradingScheme { code description }
        opportunity { id code title ects eqfLevel institution { id } }
        acquiredSkills { level skill { uri preferredLabel } }
      }
      credentials {
        id
        kind
        status
        title
        issuedAt
        awardingBody { id }
        revocation { at reason }
        suspension { at reason }
        vcJwt
      }
      consentGrants {
        id
        status
        granteeKind
        granteeMember { id name }
        verifier { name id }
        purpose
        purposeDescription
        scopes
        sourceMembers { id }
        grantedAt
        expiresAt
        revokedAt
        revocationReason
      }
      passport {
        skillCount
        ects
        skills { skill { uri } label level eqfLevel firstGainedOn counts }
        externalCredentials { id title awardingBody format credentialId issuer ects eqfLevel gainedOn addedAt skills { uri } }
      }
      motivationScan {
        questionnaireVersion revision createdAt updatedAt
        goals { skills { uri } skillGroups { uri } occupation { uri } pathway { id } }
        interests { sdgs iscedFields }
        constraints { languages modes hoursPerWeek ectsBudget startAfter endBefore }
        motivation { item value }
      }
    }
  }
`;

export interface LearnerExport {
  format: typeof EXPORT_FORMAT;
  version: number;
  exportedAt: string;
  learnerId: string;
  /** True when every member holding the learner's records answered. */
  complete: boolean;
  /** What is missing and why (a member that did not answer, …). */
  problems: { message: string; member?: string; service?: string }[];
  data: unknown;
}

/**
 * Mounts `GET /learners/me/export`: `identify` authenticates and rate-limits
 * like the GraphQL endpoint and leaves the caller in `res.locals.principal`.
 */
export function mountLearnerExport(app: Express, apollo: ApolloServer<GatewayContext>, identify: RequestHandler): void {
  app.get(EXPORT_PATH, identify, async (_request, response) => {
    const principal = response.locals['principal'] as GatewayContext['principal'];
    const refuse = (status: number, message: string, code: string) => {
      if (status === 401) response.setHeader('WWW-Authenticate', 'Bearer');
      response.status(status).json({ errors: [{ message, extensions: { code } }] });
    };
    if (principal.kind !== 'user') {
      refuse(401, 'Sign in as a learner to export your data: send an access token as "Authorization: Bearer <token>".', 'UNAUTHENTICATED');
      return;
    }
    if (!principal.roles.includes('learner') || !principal.learnerId) {
      refuse(403, 'Only a learner can export their own data.', 'FORBIDDEN');
      return;
    }
    const result = await apollo.executeOperation<{ learner: unknown }>(
      { query: EXPORT_QUERY, variables: { id: principal.learnerId } },
      { contextValue: { principal, caller: callerOf(response) } },
    );
    if (result.body.kind !== 'single') {
      refuse(500, 'The export could not be assembled.', 'INTERNAL_SERVER_ERROR');
      return;
    }
    const { data, errors } = result.body.singleResult;
    const learner = data?.learner ?? null;
    if (learner === null) {
      const first = errors?.[0];
      if (!first) {
        refuse(404, 'Nothing to export: the learner register has no entry for your alliance id.', 'NOT_FOUND');
        return;
      }
      // A service that did not answer is not "no data": say so, and when to try again.
      const code = typeof first.extensions?.['code'] === 'string' ? first.extensions['code'] : 'INTERNAL_SERVER_ERROR';
      if (code === 'SERVICE_UNAVAILABLE' || code === 'MEMBER_UNAVAILABLE') {
        response.setHeader('Retry-After', '30');
        refuse(503, `The export could not be assembled now: ${first.message} Try again in a minute.`, 'SERVICE_UNAVAILABLE');
        return;
      }
      refuse(500, `The export could not be assembled: ${first.message}`, code);
      return;
    }
    const problems = (errors ?? []).map((error: GraphQLFormattedError) => ({
      message: error.message,
      ...(typeof error.extensions?.['member'] === 'string' ? { member: error.extensions['member'] } : {}),
      ...(typeof error.extensions?.['service'] === 'string' ? { service: error.extensions['service'] } : {}),
    }));
    const exportedAt = new Date().toISOString();
    const body: LearnerExport = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt,
      learnerId: principal.learnerId,
      complete: problems.length === 0,
      problems,
      data: learner,
    };
    response.setHeader('Content-Disposition', `attachment; filename="eciu-hub-export-${principal.learnerId}-${exportedAt.slice(0, 10)}.json"`);
    response.setHeader('Cache-Control', 'no-store');
    response.json(body);
  });
}
