/*
 * Which member may approve a credit-bearing micro-credential on its own
 * authority (DOMAIN.md, the alliance's survey of its members):
 * - FULL: full authority to accredit (FI, NO, IE);
 * - SEMI_PREQUALIFIED: authority over micro-credentials after
 *   prequalification by an external body (DK);
 * - MICRO_CREDENTIALS_ONLY: no authority over programmes, but
 *   micro-credentials can be approved by the institution (ES, PT, LT);
 * - SEMI_PROGRAMMES: authority over micro-credentials is unclear (SE), so
 *   the hub does not presume it;
 * - NONE (DE, NL, IT, FR) and NOT_ASSESSED: none.
 * Without the authority, an external accreditation record is needed. One
 * table for the member's offering rules (what it may publish as
 * credit-bearing) and for issuance (what the hub seals as credit), so the
 * two cannot disagree.
 */
export const MAY_APPROVE_MICRO_CREDENTIALS = {
  FULL: true,
  SEMI_PREQUALIFIED: true,
  MICRO_CREDENTIALS_ONLY: true,
  SEMI_PROGRAMMES: false,
  NONE: false,
  NOT_ASSESSED: false,
} as const satisfies Readonly<Record<string, boolean>>;

export type AccreditationAuthorityLevel = keyof typeof MAY_APPROVE_MICRO_CREDENTIALS;
