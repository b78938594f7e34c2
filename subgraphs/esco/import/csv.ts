import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';

/** An ESCO import failed for a reason the user can fix (missing file, missing column, bad CSV). */
export class EscoImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EscoImportError';
  }
}

/** One CSV record by header name. Columns absent from a short row read as undefined. */
export type CsvRow = Readonly<Record<string, string | undefined>>;

/**
 * Streams the records of one ESCO CSV file, keyed by header name (column
 * order differs between export files, e.g. languageSkillsCollection_en.csv).
 * Fails before the first record when a required column is missing, with a
 * message naming the file and the column. Quoted newlines and very long
 * fields (conceptSchemes_en.csv has fields over 128 KB) are handled by
 * csv-parse; ragged rows (skillsHierarchy_en.csv omits empty trailing
 * fields) are accepted.
 */
export async function* readEscoCsv(folder: string, file: string, required: readonly string[]): AsyncGenerator<CsvRow> {
  let headerSeen = false;
  const parser = createReadStream(join(folder, file)).pipe(
    parse({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      columns: (header: string[]) => {
        headerSeen = true;
        const names = header.map((name) => name.trim());
        const missing = required.filter((column) => !names.includes(column));
        if (missing.length > 0) {
          throw new EscoImportError(
            `${file}: required column ${missing.map((column) => `"${column}"`).join(', ')} is missing (the header has: ${names.join(', ')}).`,
          );
        }
        return names;
      },
    }),
  );
  try {
    for await (const record of parser) yield record as CsvRow;
  } catch (error) {
    if (error instanceof EscoImportError) throw error;
    // csv-parse wraps errors thrown by the `columns` callback; keep ours intact.
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof EscoImportError) throw cause;
    throw new EscoImportError(`${file}: ${(error as Error).message}`);
  }
  if (!headerSeen) throw new EscoImportError(`${file}: the file is empty (no header row).`);
}

/** Splits an ESCO multi-valued field: values are separated by newlines or " | ". */
export function splitMultiValue(value: string | undefined): string[] {
  if (!value) return [];
  const seen = new Set<string>();
  for (const part of value.split(/\r?\n| \| /)) {
    const trimmed = part.trim();
    if (trimmed) seen.add(trimmed);
  }
  return [...seen];
}

/** A trimmed field, or null when empty or absent. */
export function field(row: CsvRow, column: string): string | null {
  const value = row[column]?.trim();
  return value ? value : null;
}
