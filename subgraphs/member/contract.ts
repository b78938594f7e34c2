/**
 * Version of the member contract (schema/member-contract.graphql) that this
 * codebase implements. Bump the minor version for additions and the major
 * version for anything a consumer could notice as breaking; `npm run compose`
 * rewrites the contract file and the staleness test makes the two agree.
 */
export const MEMBER_CONTRACT_VERSION = '1.0.0';
