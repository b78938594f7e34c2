import { AuditRecord, type IdempotencyRow } from '../../lib/audited-writes.js';

/*
 * What the passport service stores: the external credentials learners add to
 * their passport (verified on the way in), and the audit and idempotency rows
 * of its writes. Everything else a passport shows is read, as the caller, from
 * the subgraphs that own it. Plain classes mapped by database.ts.
 */

/** An external EDC / vc+jwt credential a learner added to their passport. */
export class PassportCredential {
  /** A random UUID. */
  id!: string;
  learnerId!: string;
  /** "vc+jwt" or "jades", as the verification read it. */
  format!: string;
  /** The credential as the learner sent it: verified again whenever the passport is read. */
  document!: string;
  /** sha256 of the document: adding the same credential twice keeps one entry. */
  digest!: string;
  /** The credential's own id, when it states one. */
  credentialId?: string | null;
  issuerId?: string | null;
  title!: string;
  awardingBody!: string;
  ects!: number;
  eqfLevel?: number | null;
  /** YYYY-MM-DD: the assessment date the credential states, else the day it was added. */
  gainedOn!: string;
  /** Comma-separated ESCO skill URIs the credential names. */
  skillList!: string;
  addedAt!: Date;
}

export class PassportAudit extends AuditRecord {}

export class PassportIdempotency implements IdempotencyRow {
  id!: number;
  caller!: string;
  subject!: string;
  key!: string;
  operation!: string;
  fingerprint!: string;
  resultId!: string;
  createdAt!: Date;
}

/** A learner's motivation scan: one per learner, changed in place (each save a new revision, the audit keeps the old answers' digest). */
export class MotivationScan {
  learnerId!: string;
  /** The questionnaire version the answers belong to. */
  questionnaireVersion!: number;
  /** The answers (scan.ts ScanAnswers), as JSON. */
  answers!: string;
  revision!: number;
  createdAt!: Date;
  updatedAt!: Date;
}
