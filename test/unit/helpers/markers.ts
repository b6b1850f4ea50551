/**
 * Range markers for test input: `⟦` and `⟧` around each expected range. Markers nest, so
 * `⟦⟦x⟧⟧` marks the same range twice (for two problems on one range).
 */

import assert from 'node:assert/strict';
import { checkDocument, type CheckOptions } from '../../../server/src/check/check';
import type { Problem, Span } from '../../../server/src/check/model';

export const OPEN_MARKER = '⟦';
export const CLOSE_MARKER = '⟧';

export interface MarkedText {
  /** The input with every marker removed. */
  text: string;
  /** One span per marker pair, in the order of the opening markers. */
  spans: Span[];
}

export function parseMarkers(input: string): MarkedText {
  let text = '';
  const spans: Span[] = [];
  const open: number[] = [];
  for (const character of input) {
    if (character === OPEN_MARKER) {
      open.push(spans.length);
      spans.push({ start: text.length, end: -1 });
    } else if (character === CLOSE_MARKER) {
      const index = open.pop();
      const span = index === undefined ? undefined : spans[index];
      if (span === undefined) {
        throw new Error(`Unmatched ${CLOSE_MARKER} at offset ${text.length} of the test input.`);
      }
      span.end = text.length;
    } else {
      text += character;
    }
  }
  if (open.length > 0) {
    throw new Error(`${open.length} ${OPEN_MARKER} without a closing ${CLOSE_MARKER} in the test input.`);
  }
  return { text, spans };
}

export interface ProblemSummary {
  code: string;
  start: number;
  end: number;
}

function compareSummaries(a: ProblemSummary, b: ProblemSummary): number {
  return a.start - b.start || a.end - b.end || a.code.localeCompare(b.code);
}

export function summarizeProblems(problems: readonly Problem[]): ProblemSummary[] {
  return problems.map((problem) => ({ code: problem.code, start: problem.span.start, end: problem.span.end })).sort(compareSummaries);
}

/**
 * Checks the marked input and asserts that it gives exactly one problem per marker, with
 * `codes[i]` on the i-th marked range. Returns the problems for further checks.
 */
export function expectProblems(input: string, codes: readonly string[], options: CheckOptions = {}): Problem[] {
  const { text, spans } = parseMarkers(input);
  assert.equal(codes.length, spans.length, 'the test names one code per marked range');
  const expected = spans.map((span, index) => ({ code: codes[index] ?? '', start: span.start, end: span.end })).sort(compareSummaries);
  const result = checkDocument(text, options);
  assert.equal(result.applies, true, 'the input is a request file');
  assert.deepEqual(summarizeProblems(result.problems), expected);
  return result.problems;
}

/** Returns the problems of one code, in document order. */
export function problemsOf(problems: readonly Problem[], code: string): Problem[] {
  return problems.filter((problem) => problem.code === code).sort((a, b) => a.span.start - b.span.start);
}
