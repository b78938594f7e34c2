/**
 * Version of the member contract (schema/member-contract.graphql) that this
 * codebase implements. Bump the minor version for additions and the major
 * version for anything a consumer could notice as breaking; `npm run compose`
 * rewrites the contract file and the staleness test makes the two agree.
 */
// 1.1.0: learner records are served only to the callers the access rules allow (docs/security.md),
// and another member's staff under the sharing the router vouches for in its hub token.
// 1.2.0: Institution.uptake and LearningOpportunity.uptake, the aggregates analysts see.
// 1.3.0: LearningOpportunity.cohort, the offering's achievements, for bulk issuance by the member's staff.
// 1.3.1: a record asked for by id in a root field that does not exist is refused like someone
// else's record (null only for the member's own staff), so asking reveals no ids.
// 1.4.0: a verifier is served a learner's records under the sharing the router vouches for (its grants).
// 1.5.0: POST /internal/erasure ({ learnerId }) erases a learner's account and records, for the
// learners service's service token only (docs/security.md, "Erasure").
// 1.6.0: enrolment from the portal - submitEnrolmentApplication (called by the learners subgraph, hidden from
// clients), decideEnrolment, cancelEnrolment, Institution.enrolments, LearningOpportunity.placesLeft,
// Enrolment.language / prerequisitesDeclared / declineReason / statusNote.
// 1.7.0: memberStatistics(groupBy), the member's exact enrolment counts by up to two dimensions,
// hidden from clients: the analytics service publishes them only after suppression.
// 1.8.0: statistics by SDG_CHALLENGE, MONTH, HOME_MEMBER and SDG (the last three asked for alone),
// memberSkillCounts (skill awards per ESCO skill), and submitEnrolmentApplication(homeMember), which the
// learner register sets so that a new account keeps the learner's home member; curation by the member's
// staff (createOffering, updateOffering, withdrawOffering, LearningOpportunity.withdrawnAt/withdrawalReason,
// recordEnrolment, correctEnrolment, recordAchievement, correctAchievement), Achievement.revision
// and achievementCorrections(since) (hidden from clients), which the issuance service reads.
export const MEMBER_CONTRACT_VERSION = '1.8.0';
