import { DriverException, type MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '../../../lib/orm.js';
import { Institution, LearningOutcome, MemberAudit } from '../model.js';
import { accountsStage } from './accounts.js';
import { Row } from './cells.js';
import { enrolmentsStage } from './enrolments.js';
import { findImportFiles, IMPORT_ORDER, ImportSetupError, type FoundFile, type IgnoredFile } from './files.js';
import { offeringsStage } from './offerings.js';
import { outcomesStage } from './outcomes.js';
import { resultsStage } from './results.js';
import { FileRejected, readRows, type FileDigest } from './source.js';
import { insertRows, loadOfferings, localPart, type ImportFileKind, type Parsed, type RowError, type Stage, type StageContext } from './stage.js';

/*
 * File import for members without an API of their own (issue 14): the
 * known files of a folder, parents first, each in one transaction of its
 * own: a file with any refused row writes nothing (its errors are reported,
 * up to a cap), files that depend on it are skipped, the others still import.
 * Rows are streamed, checked one by one, and written in batches; memory
 * holds a batch and the file's keys (to find duplicates), never the file.
 * A dry run does all of it inside one outer transaction that is rolled
 * back, so it reports exactly what a real run would write, and writes nothing.
 * Each imported file leaves one audit row with its counts and digest.
 */

export interface ImportProgress {
  file: string;
  rows: number;
  seconds: number;
}

export interface ImportOptions {
  memberId: string;
  folder: string;
  dryRun?: boolean;
  /** The import's clock (default: the system's); dates in the future are refused against it. */
  now?: Date;
  /** Row errors kept per file (default 100); the rest are counted. */
  errorCap?: number;
  /** Called every `progressRows` rows or `progressMs` milliseconds within a file. */
  onProgress?: (progress: ImportProgress) => void;
  progressRows?: number;
  progressMs?: number;
}

export type FileStatus = 'imported' | 'valid' | 'rejected' | 'skipped';

export interface FileReport {
  file: string;
  kind: ImportFileKind;
  status: FileStatus;
  /** Data rows read (blank lines aside). */
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows with at least one error. */
  rejected: number;
  /** The first `errorCap` row errors, in the order found. */
  errors: RowError[];
  /** Row errors beyond the cap. */
  moreErrors: number;
  /** What made the whole file unreadable or unwritable (encoding, header, CSV syntax, the database). */
  fileError: { line: number | null; reason: string } | null;
  /** Why the file was not read at all. */
  skipped: string | null;
  warnings: string[];
  bytes: number;
  sha256: string | null;
  seconds: number;
}

export interface ImportReport {
  memberId: string;
  dryRun: boolean;
  files: FileReport[];
  ignored: IgnoredFile[];
  /** True when every file imported (or, in a dry run, would). */
  ok: boolean;
  seconds: number;
}

const BATCH_ROWS = 500;

/** Thrown inside a file's transaction to roll it back: the file has refused rows. */
class FileRefused extends Error {}
/** Thrown inside a dry run's outer transaction to roll everything back. */
class DryRunDone extends Error {}

type AnyStage = Stage<unknown>;

function emptyReport(file: FoundFile): FileReport {
  return { file: file.name, kind: file.kind, status: 'rejected', read: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, errors: [], moreErrors: 0, fileError: null, skipped: null, warnings: [], bytes: 0, sha256: null, seconds: 0 };
}

/** Collects a file's row errors up to a cap, counting rows and the errors beyond. */
class ErrorList {
  readonly kept: RowError[] = [];
  more = 0;
  rows = 0;
  constructor(private readonly cap: number) {}

  add(errors: readonly RowError[]): void {
    this.rows += new Set(errors.map((error) => error.line)).size;
    for (const error of errors) {
      if (this.kept.length < this.cap) this.kept.push(error);
      else this.more += 1;
    }
  }
}

async function loadMember(em: SqlEntityManager, memberId: string): Promise<Institution> {
  const institution = await em.findOne(Institution, { id: memberId });
  if (institution) return institution;
  const others = await em.find(Institution, {}, { fields: ['id'], limit: 3 });
  if (others.length > 0) throw new ImportSetupError(`this database holds the data of ${others.map((other) => other.id).join(', ')}, not of ${memberId}: check the member id and --database.`);
  throw new ImportSetupError(`this database has no profile of member ${memberId} (its institution row): is it the member's database? The member's profile is written when the member is set up.`);
}

function stageFor(kind: ImportFileKind, offerings: ReturnType<typeof offeringsStage>): AnyStage {
  const stages: Record<ImportFileKind, () => Stage<never>> = {
    offerings: () => offerings as Stage<never>,
    'learning-outcomes': outcomesStage as () => Stage<never>,
    'learner-accounts': accountsStage as () => Stage<never>,
    enrolments: enrolmentsStage as () => Stage<never>,
    results: resultsStage as () => Stage<never>,
  };
  return stages[kind]() as AnyStage;
}

interface FileRun {
  em: SqlEntityManager;
  stage: AnyStage;
  file: FoundFile;
  base: Omit<StageContext, 'offerings' | 'file'>;
  options: ImportOptions;
}

/** The driver's own words from a MikroORM error ("<sql> - <reason>"): the SQL would repeat the rows' values, learners' data included. */
function driverReason(error: Error): string {
  const first = error.message.split('\n')[0] ?? '';
  return (first.includes(' - ') ? first.slice(first.lastIndexOf(' - ') + 3) : first).slice(0, 300);
}

/** Reads, checks and writes one file in its own transaction (a savepoint in a dry run). */
async function importFile({ em, stage, file, base, options }: FileRun): Promise<FileReport> {
  const report = emptyReport(file);
  const errors = new ErrorList(options.errorCap ?? 100);
  const digest: FileDigest = { bytes: 0, sha256: null };
  const started = performance.now();
  const progressRows = options.progressRows ?? 50_000;
  const progressMs = options.progressMs ?? 5_000;
  let lastProgress = started;
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  try {
    await em.transactional(async (transaction) => {
      const tx = transaction as SqlEntityManager;
      const context: StageContext = { ...base, file: file.name, offerings: await loadOfferings(tx) };
      // Every key that must be unique in the file, with the line that first had it.
      const seen = new Map<string, number>();
      let batch: Parsed<unknown>[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const outcome = await stage.flush(tx, batch, context, errors.rows === 0);
        errors.add(outcome.errors);
        counts.inserted += outcome.inserted;
        counts.updated += outcome.updated;
        counts.unchanged += outcome.unchanged;
        batch = [];
      };
      for await (const source of readRows(file.path, file.format, stage.columns, digest)) {
        report.read += 1;
        if (options.onProgress && (report.read % progressRows === 0 || (report.read % 1_000 === 0 && performance.now() - lastProgress >= progressMs))) {
          lastProgress = performance.now();
          options.onProgress({ file: file.name, rows: report.read, seconds: (lastProgress - started) / 1000 });
        }
        const row = new Row(source.cells, base.memberId);
        const rowErrors: RowError[] = [];
        for (const problem of source.problems) {
          if (problem.field === null) rowErrors.push({ line: source.line, field: null, reason: problem.reason });
          else row.fail(problem.field, problem.reason);
        }
        // A row that is wrong as a whole (not JSON, cells shifted) would only add noise cell by cell.
        const record = rowErrors.length === 0 ? stage.parse(row, context) : undefined;
        if (record !== undefined) {
          for (const unique of stage.uniqueKeys(record)) {
            const first = seen.get(unique.key);
            if (first === undefined) seen.set(unique.key, source.line);
            else row.fail(unique.field, `duplicate: line ${first} already has ${unique.label}`);
          }
        }
        rowErrors.push(...row.errors.map((error) => ({ line: source.line, ...error })));
        if (rowErrors.length > 0 || record === undefined) {
          errors.add(rowErrors);
          continue;
        }
        batch.push({ line: source.line, record });
        if (batch.length >= BATCH_ROWS) await flush();
      }
      await flush();
      if (errors.rows > 0) throw new FileRefused();
      report.warnings.push(...((await stage.finish?.(tx, context)) ?? []));
      const after = { format: file.format, bytes: digest.bytes, sha256: digest.sha256, read: report.read, ...counts };
      // Counts and the file's digest only: the audit trail must not copy learners' data.
      await insertRows(tx, MemberAudit, [
        { at: base.now, actorSubject: `import:${file.name}`, actorRoles: '', actorMemberId: base.memberId, actorLearnerId: null, action: 'importFile', entityType: stage.entityType, entityId: file.name, before: null, after: JSON.stringify(after) },
      ]);
    });
    report.status = options.dryRun ? 'valid' : 'imported';
    Object.assign(report, counts);
  } catch (error) {
    if (error instanceof FileRejected) report.fileError = { line: error.line, reason: error.message };
    else if (error instanceof DriverException) report.fileError = { line: null, reason: `the database refused the write, so nothing from this file was written: ${driverReason(error)}` };
    else if (!(error instanceof FileRefused)) throw error;
    report.status = 'rejected';
  }
  report.rejected = errors.rows;
  // Batch checks find their errors after the rows' own: show them in file order.
  report.errors = [...errors.kept].sort((a, b) => a.line - b.line);
  report.moreErrors = errors.more;
  report.bytes = digest.bytes;
  report.sha256 = digest.sha256;
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

/** Offerings of the file that are left without any learning outcome (Annex I element 6 is mandatory). */
async function offeringsWithoutOutcomes(em: SqlEntityManager, ids: ReadonlySet<string>): Promise<string[]> {
  const all = [...ids];
  const withOutcomes = new Set<string>();
  for (let start = 0; start < all.length; start += 500) {
    const outcomes = await em.find(LearningOutcome, { opportunity: { $in: all.slice(start, start + 500) } }, { fields: ['opportunity'], disableIdentityMap: true });
    for (const outcome of outcomes) withOutcomes.add(outcome.opportunity.id);
  }
  return all.filter((id) => !withOutcomes.has(id));
}

/**
 * Imports the known files of `options.folder` into a member's database.
 * Throws ImportSetupError when there is nothing to do or the database is not
 * the member's; everything about the files themselves is in the report.
 */
export async function importMemberFiles(orm: MikroORM, options: ImportOptions): Promise<ImportReport> {
  const started = performance.now();
  const { files, ignored } = findImportFiles(options.folder);
  const em = orm.em.fork() as SqlEntityManager;
  const institution = await loadMember(em, options.memberId);
  const now = options.now ?? new Date();
  const base = {
    memberId: options.memberId,
    member: { id: institution.id, name: institution.name, accreditationAuthority: institution.accreditationAuthority },
    now,
    today: now.toISOString().slice(0, 10),
  };
  const offerings = offeringsStage();
  const reports: FileReport[] = [];
  const run = async (target: SqlEntityManager) => {
    for (const file of files) {
      const dependsOn = IMPORT_ORDER.find((entry) => entry.kind === file.kind)?.dependsOn ?? [];
      const blocked = reports.find((report) => dependsOn.includes(report.kind) && (report.status === 'rejected' || report.status === 'skipped'));
      if (blocked) {
        reports.push({ ...emptyReport(file), status: 'skipped', skipped: `it depends on ${blocked.file}, which was ${blocked.status}` });
        continue;
      }
      reports.push(await importFile({ em: target, stage: stageFor(file.kind, offerings), file, base, options }));
    }
    const offeringsReport = reports.find((report) => report.kind === 'offerings' && report.status !== 'rejected');
    if (offeringsReport && offerings.imported.size > 0) {
      const missing = (await offeringsWithoutOutcomes(target, offerings.imported)).map((id) => localPart(options.memberId, id));
      if (missing.length > 0) {
        offeringsReport.warnings.push(
          `${missing.length} offering${missing.length > 1 ? 's have' : ' has'} no learning outcome (Annex I element 6 is mandatory; add rows to learning-outcomes.csv): ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
        );
      }
    }
  };
  if (options.dryRun) {
    try {
      await em.transactional(async (outer) => {
        await run(outer as SqlEntityManager);
        throw new DryRunDone();
      });
    } catch (error) {
      if (!(error instanceof DryRunDone)) throw error;
    }
  } else {
    await run(em);
  }
  return { memberId: options.memberId, dryRun: options.dryRun === true, files: reports, ignored, ok: reports.every((report) => report.status === 'imported' || report.status === 'valid'), seconds: (performance.now() - started) / 1000 };
}
