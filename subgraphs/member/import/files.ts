import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { SourceFormat } from './source.js';
import type { ImportFileKind } from './stage.js';

/*
 * Which files an import folder holds. Files are found by name, one per kind
 * (<kind>.csv or <kind>.jsonl), and imported parents first: a file is
 * skipped when a file it depends on was refused, since its references would
 * point at rows that were not written.
 */

/** Something the person running the import must fix before anything is read (no folder, no known file, two files of one kind, the wrong database). */
export class ImportSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportSetupError';
  }
}

export const IMPORT_ORDER: readonly { kind: ImportFileKind; dependsOn: readonly ImportFileKind[] }[] = [
  { kind: 'offerings', dependsOn: [] },
  { kind: 'learning-outcomes', dependsOn: ['offerings'] },
  { kind: 'learner-accounts', dependsOn: [] },
  { kind: 'enrolments', dependsOn: ['offerings', 'learner-accounts'] },
  { kind: 'results', dependsOn: ['offerings', 'learner-accounts', 'enrolments'] },
];

export interface FoundFile {
  kind: ImportFileKind;
  /** The file's name in the folder, e.g. "results.csv". */
  name: string;
  path: string;
  format: SourceFormat;
}

export interface IgnoredFile {
  name: string;
  hint: string | null;
}

const FORMATS: Readonly<Record<string, SourceFormat>> = { '.csv': 'csv', '.jsonl': 'jsonl' };
/** Names people give these files, and what the importer calls them. */
const ALIASES: Readonly<Record<string, ImportFileKind>> = {
  offering: 'offerings', courses: 'offerings', modules: 'offerings', 'learning-opportunities': 'offerings',
  outcomes: 'learning-outcomes', 'learning-outcome': 'learning-outcomes',
  accounts: 'learner-accounts', learners: 'learner-accounts', students: 'learner-accounts', 'learner-account': 'learner-accounts',
  enrollments: 'enrolments', enrolment: 'enrolments', enrollment: 'enrolments',
  result: 'results', achievements: 'results', grades: 'results', assessments: 'results',
};
const DATA_EXTENSIONS = new Set(['.csv', '.jsonl', '.json', '.ndjson', '.tsv', '.txt', '.xlsx', '.xls', '.ods']);

function hintFor(name: string): string | null {
  const extension = extname(name).toLowerCase();
  const base = name.slice(0, name.length - extension.length).toLowerCase().replace(/[\s_]+/g, '-');
  const kind = IMPORT_ORDER.find((entry) => entry.kind === base)?.kind ?? ALIASES[base];
  if (!kind) return null;
  if (extension === '.xlsx' || extension === '.xls' || extension === '.ods') return `a spreadsheet: save it as "CSV UTF-8" named ${kind}.csv`;
  const format = FORMATS[extension] ? extension : extension === '.json' || extension === '.ndjson' ? '.jsonl' : '.csv';
  return `did you mean ${kind}${format}?`;
}

/** The known files of a folder, in import order, and the data-looking files it ignores. */
export function findImportFiles(folder: string): { files: FoundFile[]; ignored: IgnoredFile[] } {
  let names: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new ImportSetupError(`${folder} is not a folder.`);
    names = readdirSync(folder).sort();
  } catch (error) {
    if (error instanceof ImportSetupError) throw error;
    throw new ImportSetupError(`cannot read the folder ${folder}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  const files: FoundFile[] = [];
  const ignored: IgnoredFile[] = [];
  for (const name of names) {
    const extension = extname(name);
    const kind = IMPORT_ORDER.find((entry) => `${entry.kind}${extension}` === name)?.kind;
    const format = FORMATS[extension];
    if (kind && format && statSync(join(folder, name)).isFile()) files.push({ kind, name, path: join(folder, name), format });
    else if (!name.startsWith('.') && DATA_EXTENSIONS.has(extension.toLowerCase())) ignored.push({ name, hint: hintFor(name) });
  }
  for (const { kind } of IMPORT_ORDER) {
    const both = files.filter((file) => file.kind === kind);
    if (both.length > 1) throw new ImportSetupError(`${folder} holds both ${both.map((file) => file.name).join(' and ')}: keep one of them.`);
  }
  if (files.length === 0) {
    const hints = ignored.filter((file) => file.hint).map((file) => `${file.name}: ${file.hint}`);
    throw new ImportSetupError(
      `${folder} holds no import file. Known names: ${IMPORT_ORDER.map((entry) => `${entry.kind}.csv`).join(', ')} (or .jsonl).${hints.length ? ` ${hints.join('; ')}` : ''}`,
    );
  }
  files.sort((a, b) => IMPORT_ORDER.findIndex((entry) => entry.kind === a.kind) - IMPORT_ORDER.findIndex((entry) => entry.kind === b.kind));
  return { files, ignored };
}
