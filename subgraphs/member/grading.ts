/**
 * Grading schemes used across the alliance. Members record grades in their
 * national scheme; the scheme code travels with every grade so a reader (or a
 * credential) can interpret it.
 */
export interface GradingSchemeDefinition {
  code: string;
  description: string;
  /** Passing grades, best first. */
  passing: readonly string[];
  /** Failing grades. */
  failing: readonly string[];
}

const range = (from: number, to: number): string[] =>
  Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => String(from > to ? from - i : from + i));

export const GRADING_SCHEMES: readonly GradingSchemeDefinition[] = [
  { code: 'ects-a-f', description: 'ECTS grading scale: A (excellent) to E (sufficient) pass; FX and F fail.', passing: ['A', 'B', 'C', 'D', 'E'], failing: ['FX', 'F'] },
  { code: 'fi-0-5', description: 'Finnish scale 0–5: 5 (excellent) to 1 (sufficient) pass; 0 fails.', passing: range(5, 1), failing: ['0'] },
  { code: 'nl-1-10', description: 'Dutch scale 1–10: 6 or higher passes.', passing: range(10, 6), failing: range(5, 1) },
  { code: 'dk-7', description: 'Danish 7-point scale: 12, 10, 7, 4, 02 pass; 00 and -3 fail.', passing: ['12', '10', '7', '4', '02'], failing: ['00', '-3'] },
  { code: 'de-1-5', description: 'German scale 1.0–5.0: 1.0 (very good) to 4.0 (sufficient) pass; 5.0 fails.', passing: ['1.0', '1.3', '1.7', '2.0', '2.3', '2.7', '3.0', '3.3', '3.7', '4.0'], failing: ['5.0'] },
  { code: 'lt-1-10', description: 'Lithuanian scale 1–10: 5 or higher passes.', passing: range(10, 5), failing: range(4, 1) },
  { code: 'se-a-f', description: 'Swedish ECTS-aligned scale A–F: A to E pass; Fx and F fail.', passing: ['A', 'B', 'C', 'D', 'E'], failing: ['Fx', 'F'] },
  { code: 'es-0-10', description: 'Spanish scale 0–10: 5 or higher passes.', passing: range(10, 5), failing: range(4, 0) },
  { code: 'pt-0-20', description: 'Portuguese scale 0–20: 10 or higher passes.', passing: range(20, 10), failing: range(9, 0) },
  { code: 'no-a-f', description: 'Norwegian scale A–F: A to E pass; F fails.', passing: ['A', 'B', 'C', 'D', 'E'], failing: ['F'] },
  { code: 'it-18-30', description: 'Italian scale 18–30 (30L = cum laude): 18 or higher passes.', passing: ['30L', ...range(30, 18)], failing: range(17, 0) },
  { code: 'fr-0-20', description: 'French scale 0–20: 10 or higher passes.', passing: range(20, 10), failing: range(9, 0) },
  { code: 'ie-percent', description: 'Irish percentage marks: 40 or higher passes.', passing: range(100, 40), failing: range(39, 0) },
  { code: 'mx-0-100', description: 'Mexican scale 0–100: 70 or higher passes.', passing: range(100, 70), failing: range(69, 0) },
  { code: 'pass-fail', description: 'Pass or fail, without a grade.', passing: ['pass'], failing: ['fail'] },
];

const BY_CODE = new Map(GRADING_SCHEMES.map((scheme) => [scheme.code, scheme]));

export function gradingScheme(code: string): GradingSchemeDefinition {
  return BY_CODE.get(code) ?? { code, description: `Grading scheme "${code}".`, passing: [], failing: [] };
}
