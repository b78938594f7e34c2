import { parse } from 'csv-parse';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { FieldError } from '../offering-rules.js';
import { LIST_SEPARATOR } from './cells.js';

/*
 * Streams the rows of one import file (CSV with a header row, or JSON Lines)
 * in bounded memory: bytes are checked to be UTF-8 as they arrive (a BOM is
 * dropped), CSV goes through csv-parse (quotes, line breaks inside cells),
 * JSON Lines is split by line. Each row comes with its line number in the
 * file (the header is line 1, so in a spreadsheet without line breaks inside
 * cells it is the row number) and its cells as text by column name.
 */

/** The whole file is refused (encoding, header, CSV syntax): nothing in it can be trusted row by row. */
export class FileRejected extends Error {
  constructor(
    message: string,
    readonly line: number | null = null,
  ) {
    super(message);
    this.name = 'FileRejected';
  }
}

export interface ColumnSpec {
  name: string;
  required: boolean;
}

export interface SourceRow {
  line: number;
  cells: Record<string, string>;
  /** What is wrong with the row as a whole or with a cell's shape (too many cells, invalid JSON, an unknown JSON field). */
  problems: (FieldError | { field: null; reason: string })[];
}

/** Bytes and SHA-256 of the file, complete once its rows have all been read (the audit row names the exact file). */
export interface FileDigest {
  bytes: number;
  sha256: string | null;
}

export type SourceFormat = 'csv' | 'jsonl';

const MAX_RECORD_CHARACTERS = 1_000_000;
const CHUNK_BYTES = 256 * 1024;

/** Offset of the first byte that is not valid UTF-8 (continuation bytes at the very start belong to the previous chunk). */
function firstInvalidByte(bytes: Uint8Array): number {
  let index = 0;
  while (index < 3 && index < bytes.length && ((bytes[index] as number) & 0xc0) === 0x80) index += 1;
  while (index < bytes.length) {
    const byte = bytes[index] as number;
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
    if (length === 0) return index;
    for (let next = 1; next < length; next += 1) {
      if (index + next >= bytes.length) return bytes.length;
      if (((bytes[index + next] as number) & 0xc0) !== 0x80) return index;
    }
    index += length;
  }
  return bytes.length;
}

function countLineBreaks(bytes: Uint8Array, end = bytes.length): number {
  let count = 0;
  for (let index = 0; index < end; index += 1) if (bytes[index] === 0x0a) count += 1;
  return count;
}

/** Refuses what is plainly not UTF-8 text before reading on: UTF-16, a spreadsheet workbook. */
function checkStart(head: Uint8Array): void {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new FileRejected('is UTF-16 text (e.g. Excel\'s "Unicode Text"), not UTF-8: save it as "CSV UTF-8"', 1);
  }
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    throw new FileRejected('is a spreadsheet workbook (.xlsx/.ods), not text: save the sheet as "CSV UTF-8"', 1);
  }
}

/** The file's text in chunks, checked to be UTF-8 (fatal decoding) and free of NUL characters; fills `digest`. */
async function* utf8Text(path: string, digest: FileDigest): AsyncGenerator<string> {
  // ignoreBOM false (the default): a UTF-8 byte order mark at the start is consumed, not returned.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const hash = createHash('sha256');
  let line = 1;
  let first = true;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
    const bytes = chunk as Buffer;
    if (first) checkStart(bytes);
    first = false;
    hash.update(bytes);
    digest.bytes += bytes.length;
    let text: string;
    try {
      text = decoder.decode(bytes, { stream: true });
    } catch {
      const offset = firstInvalidByte(bytes);
      const at = line + countLineBreaks(bytes, offset);
      const value = bytes[offset];
      const byte = value === undefined ? '' : ` (byte 0x${value.toString(16).toUpperCase().padStart(2, '0')})`;
      throw new FileRejected(`is not UTF-8 text${byte}; it may be Windows-1252 or ISO-8859-1: save it as "CSV UTF-8" (or UTF-8 text)`, at);
    }
    if (text.includes('\u0000')) throw new FileRejected('contains NUL characters, so it is not UTF-8 text (UTF-16 without a byte order mark, or a binary file): save it as "CSV UTF-8"', line);
    line += countLineBreaks(bytes);
    if (text) yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw new FileRejected('ends in the middle of a UTF-8 character (the file is cut off or not UTF-8)', line);
  }
  digest.sha256 = hash.digest('hex');
}

/** The CSV delimiter, read from the header line: "," unless the header uses ";" (spreadsheets in many European locales) or tabs. */
async function csvDelimiter(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const header = new TextDecoder('utf-8').decode(buffer.subarray(0, bytesRead)).split('\n')[0] ?? '';
    if (header.includes(',')) return ',';
    if (header.includes(';')) return ';';
    return header.includes('\t') ? '\t' : ',';
  } finally {
    await handle.close();
  }
}

/** Edits (insert, delete, substitute, swap two neighbours) from one name to another: "titel" is one from "title". */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      row[j] = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((rows[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** ` (did you mean "title"?)` for a near miss of a known column, else "". */
export function didYouMean(name: string, known: readonly string[]): string {
  const lower = name.toLowerCase().replace(/[\s_-]/g, '');
  // Short names are close to many others: one edit for them, two for longer ones.
  const allowed = lower.length >= 6 ? 2 : 1;
  const close = known.find((candidate) => candidate.toLowerCase() === lower) ?? known.find((candidate) => editDistance(candidate.toLowerCase(), lower) <= allowed);
  return close ? ` (did you mean "${close}"?)` : '';
}

function checkHeader(names: string[], columns: readonly ColumnSpec[]): void {
  const known = columns.map((column) => column.name);
  const problems: string[] = [];
  const duplicates = names.filter((name, index) => name !== '' && names.indexOf(name) !== index);
  if (duplicates.length > 0) problems.push(`column ${[...new Set(duplicates)].map((name) => `"${name}"`).join(', ')} appears more than once`);
  const unknown = names.filter((name) => name !== '' && !known.includes(name));
  if (unknown.length > 0) problems.push(`unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"${didYouMean(name, known)}`).join(', ')}`);
  const missing = columns.filter((column) => column.required && !names.includes(column.name)).map((column) => `"${column.name}"`);
  if (missing.length > 0) problems.push(`missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (problems.length > 0) throw new FileRejected(`header: ${problems.join('; ')}. The columns are: ${known.join(', ')}`, 1);
}

async function* csvRows(path: string, columns: readonly ColumnSpec[], digest: FileDigest): AsyncGenerator<SourceRow> {
  const delimiter = await csvDelimiter(path);
  const text = Readable.from(utf8Text(path, digest));
  const parser = parse({ delimiter, info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, max_record_size: MAX_RECORD_CHARACTERS });
  // pipe() does not pass a source's error on: the encoding check's error must end the parse.
  text.on('error', (error) => parser.destroy(error));
  text.pipe(parser);
  let header: string[] | undefined;
  let previousEnd = 0;
  let previousEmpty = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; empty_lines: number } }>) {
      // A record starts on the line after the previous one ended, past any empty lines csv-parse skipped.
      const line = previousEnd + 1 + (info.empty_lines - previousEmpty);
      previousEnd = info.lines;
      previousEmpty = info.empty_lines;
      if (!header) {
        header = record.map((name) => name.trim());
        checkHeader(header, columns);
        continue;
      }
      if (record.every((value) => value.trim() === '')) continue;
      const cells: Record<string, string> = {};
      const problems: SourceRow['problems'] = [];
      record.forEach((value, index) => {
        const name = header?.[index];
        if (name) cells[name] = value;
        else if (value.trim() !== '') problems.push({ field: null, reason: name === undefined ? `has ${record.length} cells but the header has ${header?.length} columns (a delimiter too many, or a cell that needs quotes)` : `has a value in column ${index + 1}, which has no name in the header` });
      });
      yield { line, cells, problems: [...new Map(problems.map((problem) => [problem.reason, problem])).values()] };
    }
  } catch (error) {
    if (error instanceof FileRejected) throw error;
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof FileRejected) throw cause;
    const at = (error as { lines?: number }).lines;
    throw new FileRejected(`is not valid CSV: ${(error as Error).message}`, typeof at === 'number' ? at : null);
  } finally {
    text.destroy();
  }
  if (!header) throw new FileRejected('is empty: it needs a header row naming the columns', 1);
}

/** A JSON value as the text a CSV cell would hold: numbers and booleans as written, null as empty, lists joined with ";". */
function cellText(value: unknown): string | undefined {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const parts = value.map(cellText);
    return parts.every((part) => part !== undefined && !part.includes(LIST_SEPARATOR)) ? parts.join(LIST_SEPARATOR) : undefined;
  }
  return undefined;
}

function jsonRow(text: string, line: number, known: readonly string[]): SourceRow {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { line, cells: {}, problems: [{ field: null, reason: `is not valid JSON (${(error as Error).message})` }] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line, cells: {}, problems: [{ field: null, reason: 'is not a JSON object: each line holds one object with the template\'s field names' }] };
  }
  const cells: Record<string, string> = {};
  const problems: SourceRow['problems'] = [];
  for (const [name, raw] of Object.entries(value)) {
    if (!known.includes(name)) {
      problems.push({ field: name, reason: `is not a field of this file${didYouMean(name, known)}` });
      continue;
    }
    const cell = cellText(raw);
    if (cell === undefined) problems.push({ field: name, reason: 'must be a text, a number, true/false, null or a list of texts and numbers' });
    else cells[name] = cell;
  }
  return { line, cells, problems };
}

async function* jsonLinesRows(path: string, columns: readonly ColumnSpec[], digest: FileDigest): AsyncGenerator<SourceRow> {
  const known = columns.map((column) => column.name);
  let pending = '';
  let line = 0;
  const take = function* (text: string): Generator<SourceRow> {
    line += 1;
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (trimmed.trim() !== '') yield jsonRow(trimmed, line, known);
  };
  for await (const chunk of utf8Text(path, digest)) {
    pending += chunk;
    let start = 0;
    let end = pending.indexOf('\n', start);
    while (end !== -1) {
      yield* take(pending.slice(start, end));
      start = end + 1;
      end = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
    if (pending.length > MAX_RECORD_CHARACTERS) throw new FileRejected(`has a line longer than ${MAX_RECORD_CHARACTERS} characters`, line + 1);
  }
  if (pending !== '') yield* take(pending);
}

/** The rows of a CSV or JSON Lines file; throws FileRejected for what makes the whole file unreadable. */
export function readRows(path: string, format: SourceFormat, columns: readonly ColumnSpec[], digest: FileDigest): AsyncGenerator<SourceRow> {
  return format === 'csv' ? csvRows(path, columns, digest) : jsonLinesRows(path, columns, digest);
}
