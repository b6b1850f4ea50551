/**
 * State shared by the parts of the scanner: the text, the problems found so far, and cached
 * forward searches that keep recovery from rescanning the same text.
 */

import type { SyntaxProblem } from '../model';

/** Maximum number of syntax problems returned, so that a garbage file cannot flood the editor. */
export const MAX_SYNTAX_PROBLEMS = 200;

/** Bound of the name table, so that a file of millions of distinct names cannot grow it without limit. */
const MAX_INTERNED_NAMES = 4096;

/** Number of slots of the recent-name table; a power of two. */
const NAME_SLOTS = 256;

export type SyntaxProblemCode = SyntaxProblem['code'];

/**
 * Syntax problems in document order, capped at {@link MAX_SYNTAX_PROBLEMS}. When more are
 * found, the last one kept states how many more were dropped.
 */
export class ProblemList {
  private readonly kept: SyntaxProblem[] = [];
  private firstDropped: SyntaxProblem | undefined;
  private droppedCount = 0;

  add(code: SyntaxProblemCode, start: number, end: number, message: string): void {
    const problem: SyntaxProblem = { code, span: { start, end }, message };
    if (this.kept.length < MAX_SYNTAX_PROBLEMS - 1) {
      this.kept.push(problem);
      return;
    }
    if (this.droppedCount === 0) {
      this.firstDropped = problem;
    }
    this.droppedCount++;
  }

  /** Returns the problems sorted by start offset, the overflow note last. */
  toArray(): SyntaxProblem[] {
    return sortProblems(this.kept, this.firstDropped, this.droppedCount);
  }
}

/**
 * Sorts the kept problems by start offset and appends the first dropped one, which states how
 * many more were dropped. `ProblemList` and the incremental checker share it, so both list the
 * same problems for the same text.
 */
export function sortProblems(kept: readonly SyntaxProblem[], firstDropped: SyntaxProblem | undefined, droppedCount: number): SyntaxProblem[] {
  // Array.prototype.sort is stable, so problems at one offset keep the order they were found in.
  const problems = kept.slice().sort((a, b) => a.span.start - b.span.start);
  if (firstDropped === undefined) {
    return problems;
  }
  if (droppedCount === 1) {
    problems.push(firstDropped);
  } else {
    const more = droppedCount - 1;
    problems.push({
      ...firstDropped,
      message: `${firstDropped.message} (${more} more syntax ${more === 1 ? 'problem follows' : 'problems follow'} and ${more === 1 ? 'is' : 'are'} not listed: fix these first.)`,
    });
  }
  return problems;
}

/** The end of the text that the forward searches of a parse have read, for the incremental checker. */
export class SearchReach {
  /** Exclusive end offset; `Infinity` once a search read to the end of the text without a match. */
  end = 0;
}

/**
 * `indexOf` for a fixed needle that remembers its last result. Recovery searches (a closing
 * quote, `-->`, the next `<`) may fail or find a match far ahead. Reusing the result until the
 * scan passes it keeps the total work linear in the text length.
 */
export class ForwardSearch {
  private from = -1;
  private found = -1;

  constructor(
    private readonly text: string,
    private readonly needle: string,
    private readonly reach: SearchReach,
  ) {}

  /** Returns the offset of the first occurrence at or after `position`, or -1. */
  next(position: number): number {
    if (!(this.from !== -1 && position >= this.from && (this.found === -1 || position <= this.found))) {
      this.from = position;
      this.found = this.text.indexOf(this.needle, position);
    }
    // The result depends on the text up to the end of the match, or on all of it without one.
    const end = this.found === -1 ? Infinity : this.found + this.needle.length;
    if (end > this.reach.end) this.reach.end = end;
    return this.found;
  }
}

/** Destination of a parse's problems: a capped `ProblemList`, or the incremental checker's per-piece lists. */
export interface ProblemSink {
  add(code: SyntaxProblemCode, start: number, end: number, message: string): void;
}

export class ParseContext {
  readonly nextLessThan: ForwardSearch;
  readonly nextGreaterThan: ForwardSearch;
  readonly nextDoubleQuote: ForwardSearch;
  readonly nextSingleQuote: ForwardSearch;
  readonly nextLineFeed: ForwardSearch;
  readonly nextCarriageReturn: ForwardSearch;
  readonly nextProcessingInstructionEnd: ForwardSearch;
  readonly nextCommentEnd: ForwardSearch;
  readonly nextDoubleHyphen: ForwardSearch;
  readonly nextCdataEnd: ForwardSearch;
  /** How far the searches above have read, which the incremental checker takes per piece. */
  readonly searchReach = new SearchReach();

  constructor(
    readonly text: string,
    readonly problems: ProblemSink,
  ) {
    const reach = this.searchReach;
    this.nextLessThan = new ForwardSearch(text, '<', reach);
    this.nextGreaterThan = new ForwardSearch(text, '>', reach);
    this.nextDoubleQuote = new ForwardSearch(text, '"', reach);
    this.nextSingleQuote = new ForwardSearch(text, "'", reach);
    this.nextLineFeed = new ForwardSearch(text, '\n', reach);
    this.nextCarriageReturn = new ForwardSearch(text, '\r', reach);
    this.nextProcessingInstructionEnd = new ForwardSearch(text, '?>', reach);
    this.nextCommentEnd = new ForwardSearch(text, '-->', reach);
    this.nextDoubleHyphen = new ForwardSearch(text, '--', reach);
    this.nextCdataEnd = new ForwardSearch(text, ']]>', reach);
  }

  /** Names seen so far, so that a model with thousands of equal names keeps one string of each. */
  private readonly names = new Map<string, string>();

  /**
   * The last name read per slot, the slot chosen by the name's length and its first and last
   * characters. A request file repeats a few names thousands of times, and comparing the text
   * with the slot's name finds them without slicing or hashing a new string.
   */
  private readonly recentNames: (string | undefined)[] = new Array<string | undefined>(NAME_SLOTS);

  /** Returns the stored copy of `name`, storing this one the first time. */
  intern(name: string): string {
    const stored = this.names.get(name);
    if (stored !== undefined) return stored;
    if (this.names.size < MAX_INTERNED_NAMES) this.names.set(name, name);
    return name;
  }

  /** Returns the stored copy of the name in [start, end) of the text, as `intern` would. */
  internAt(start: number, end: number): string {
    const text = this.text;
    const length = end - start;
    const slot = (length * 31 + text.charCodeAt(start) * 7 + text.charCodeAt(end - 1)) & (NAME_SLOTS - 1);
    const recent = this.recentNames[slot];
    if (recent !== undefined && recent.length === length && text.startsWith(recent, start)) return recent;
    const name = this.intern(text.slice(start, end));
    this.recentNames[slot] = name;
    return name;
  }

  report(code: SyntaxProblemCode, start: number, end: number, message: string): void {
    this.problems.add(code, start, end, message);
  }

  /** Reports an `xml-wellformed` problem. */
  error(start: number, end: number, message: string): void {
    this.problems.add('xml-wellformed', start, end, message);
  }

  /** Returns the offset of the next `<` at or after `position`, or the text length. */
  lessThanOrEnd(position: number): number {
    const found = this.nextLessThan.next(position);
    return found === -1 ? this.text.length : found;
  }

  /** Returns the offset of the next line break (CR or LF) at or after `position`, or the text length. */
  lineEnd(position: number): number {
    const reachBefore = this.searchReach.end;
    const lineFeed = this.nextLineFeed.next(position);
    const carriageReturn = this.nextCarriageReturn.next(position);
    let end = this.text.length;
    if (lineFeed !== -1) {
      end = lineFeed;
    }
    if (carriageReturn !== -1 && carriageReturn < end) {
      end = carriageReturn;
    }
    // The result depends on the text up to the first line break, not on how far the search for
    // the other kind went: a file without CR would otherwise count as read to its end.
    const found = lineFeed !== -1 || carriageReturn !== -1;
    this.searchReach.end = Math.max(reachBefore, found ? end + 1 : Infinity);
    return end;
  }
}
