import { globalId, parseGlobalId } from '../../../lib/ids.js';
import { isIsoDate, type FieldError } from '../offering-rules.js';

/*
 * Reading the cells of one row of an import file. Every value arrives as
 * text (CSV cells; JSON Lines values turned into the same text), is checked
 * for its format here, and is then checked against the member's rules
 * (offering-rules.ts) by the file's stage. A cell that fails here is named
 * once, with what it should look like.
 */

// A number as a spreadsheet writes one: an optional sign, digits, an optional decimal point and exponent.
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL = /^[+-]?\d+(\.\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Separates the values of a list cell (sdgs, languages, skills): never a CSV delimiter in the default dialect, and absent from URIs and codes. */
export const LIST_SEPARATOR = ';';

const FORMULA_START: Readonly<Record<string, string>> = { '=': '"="', '+': '"+"', '-': '"-"', '@': '"@"', '\t': 'a tab', '\r': 'a carriage return' };

/**
 * Why a cell is refused as a possible spreadsheet formula, or null. A text
 * that starts with =, +, -, @, a tab or a carriage return is run as a formula
 * when a spreadsheet opens a CSV export of the hub's data (CSV injection, OWASP):
 * it could exfiltrate other cells or start programs on a staff member's
 * computer. Numbers (-3, +1.5) are harmless and pass. The cell is refused,
 * not escaped, so that what the member sent is what the hub stores.
 */
export function formulaRisk(value: string): string | null {
  const first = value[0];
  if (first === undefined) return null;
  const named = FORMULA_START[first];
  if (!named || NUMBER.test(value.trim())) return null;
  return `starts with ${named}, so a spreadsheet opening an export of it would run it as a formula (CSV injection): remove the leading character or reword the text`;
}

/** A value in a list cell, e.g. "11;13" or "uri@LEVEL;uri@LEVEL": split on ";", each part trimmed, empty parts dropped. */
export function splitList(value: string): string[] {
  return value.split(LIST_SEPARATOR).map((part) => part.trim()).filter((part) => part !== '');
}

/**
 * One row's cells by column name, with the errors found so far. Each
 * reader returns the value, null for an empty cell (an error first when the
 * column is required), or undefined when the cell is wrong (the error
 * recorded). A column missing from the file reads as empty.
 */
export class Row {
  readonly errors: FieldError[] = [];
  private readonly failed = new Set<string>();

  constructor(
    private readonly cells: Readonly<Record<string, string>>,
    private readonly memberId: string,
  ) {
    for (const [field, value] of Object.entries(cells)) {
      const risk = formulaRisk(value);
      if (risk) this.fail(field, risk);
    }
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }

  fail(field: string, reason: string): undefined {
    this.errors.push({ field, reason });
    this.failed.add(field);
    return undefined;
  }

  addErrors(errors: readonly FieldError[]): void {
    for (const error of errors) this.fail(error.field, error.reason);
  }

  /** The trimmed cell, null when empty; undefined when it already failed. */
  private cell(field: string, required: boolean): string | null | undefined {
    if (this.failed.has(field)) return undefined;
    const value = (this.cells[field] ?? '').trim();
    if (value !== '') return value;
    return required ? this.fail(field, 'is required') : null;
  }

  text(field: string, required = false): string | null | undefined {
    return this.cell(field, required);
  }

  /** A local id (the member's own id, e.g. "mm-204"); the hub makes it "<member id>:<local id>". */
  localId(field: string, required = false): string | null | undefined {
    const value = this.cell(field, required);
    if (value === null || value === undefined) return value;
    if (parseGlobalId(globalId(this.memberId, value))) return value;
    const hubId = parseGlobalId(value);
    if (hubId) return this.fail(field, `"${value}" is a hub id; give the member's local id without "${hubId.memberId}:", e.g. "${hubId.localId}"`);
    return this.fail(field, `"${value}" is not a local id: 1–128 letters, digits, ".", "_", "~" or "-", starting with a letter or digit`);
  }

  /** One of an enum's values; case does not matter (spreadsheets capitalise words). */
  enumValue<T extends string>(field: string, values: Readonly<Record<string, T>>, required = false): T | null | undefined {
    const value = this.cell(field, required);
    if (value === null || value === undefined) return value;
    const found = (Object.values(values) as T[]).find((candidate) => candidate === value.toUpperCase());
    return found ?? this.fail(field, `"${value}" is not one of ${Object.values(values).join(', ')}`);
  }

  integer(field: string, required = false): number | null | undefined {
    const value = this.cell(field, required);
    if (value === null || value === undefined) return value;
    if (INTEGER.test(value)) return Number(value);
    return this.fail(field, `"${value}" is not a whole number${/[.,\s]/.test(value) ? ' (write it without separators or decimals)' : ''}`);
  }

  /** A decimal number with a decimal point. */
  decimal(field: string, required = false): number | null | undefined {
    const value = this.cell(field, required);
    if (value === null || value === undefined) return value;
    if (DECIMAL.test(value)) return Number(value);
    return this.fail(field, `"${value}" is not a number${value.includes(',') ? ' (use a decimal point, e.g. 2.5)' : ''}`);
  }

  boolean(field: string, required = false): boolean | null | undefined {
    const value = this.cell(field, required);
    if (value === null || value === undefined) return value;
    const lower = value.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
    return this.fail(field, `"${value}" must be true or false`);
  }

  /** A date written YYYY-MM-DD (ISO 8601). */
  date(field: string, required = false): string | null | undefined {
    const value = this.cell(field, required);
    if (value === null || value === undefined) return value;
    if (isIsoDate(value)) return value;
    return this.fail(field, `"${value}" is not a date written YYYY-MM-DD, e.g. 2025-09-01 (spreadsheets may reformat dates: format the column as text)`);
  }

  /** A moment: YYYY-MM-DDTHH:MM[:SS[.fff]] with Z or an offset, or a date alone (midnight UTC). */
  dateTime(field: string, required = false): Date | null | undefined {
    const value = this.cell(field, required);
    if (value === null || value === undefined) return value;
    if (isIsoDate(value)) return new Date(`${value}T00:00:00Z`);
    const match = DATE_TIME.exec(value);
    const date = match && isIsoDate(match[1] as string) && Number(match[2]) < 24 && Number(match[3]) < 60 && Number(match[5] ?? 0) < 60 ? new Date(value) : null;
    if (date && !Number.isNaN(date.getTime())) return date;
    return this.fail(field, `"${value}" is not a date and time such as 2025-09-01T09:30:00Z (ISO 8601 with Z or an offset like +02:00), or a date YYYY-MM-DD`);
  }

  /** A list cell ("a;b;c"); empty when the cell is. */
  list(field: string): string[] | undefined {
    const value = this.cell(field, false);
    if (value === undefined) return undefined;
    return value === null ? [] : splitList(value);
  }
}
