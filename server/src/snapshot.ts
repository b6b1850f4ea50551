/**
 * An immutable `TextDocument` of one checked version, whose line index is derived from the
 * previous version's index and the edit between them instead of a scan of the whole text.
 * `positionAt` and `offsetAt` behave as those of `vscode-languageserver-textdocument` 1.0.12.
 */

import type { Position, Range, TextDocument } from 'vscode-languageserver-textdocument';

import type { TextEdit } from './check/textEdit';

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Appends the start of each line that follows a line break (LF, CR, or CRLF) starting in
 * [start, end). A CR at `end - 1` followed by a LF at `end` adds nothing, because the line
 * after the pair starts after the LF, which is outside the range.
 */
function collectLineStarts(text: string, start: number, end: number, starts: number[]): void {
  const carriageReturn = text.indexOf('\r', start);
  if (carriageReturn === -1 || carriageReturn >= end) {
    // Without CR, a line starts after each LF; indexOf finds them much faster than a loop over every character.
    for (let lineFeed = text.indexOf('\n', start); lineFeed !== -1 && lineFeed < end; lineFeed = text.indexOf('\n', lineFeed + 1)) {
      starts.push(lineFeed + 1);
    }
    return;
  }
  for (let offset = start; offset < end; offset++) {
    const code = text.charCodeAt(offset);
    if (code === CARRIAGE_RETURN) {
      if (text.charCodeAt(offset + 1) === LINE_FEED) {
        if (offset + 1 >= end) break;
        offset++;
      }
      starts.push(offset + 1);
    } else if (code === LINE_FEED) {
      starts.push(offset + 1);
    }
  }
}

export class DocumentSnapshot implements TextDocument {
  private constructor(
    readonly uri: string,
    readonly languageId: string,
    readonly version: number,
    private readonly text: string,
    /** Offset of the first character of each line; line 0 starts at 0. */
    private readonly lineStarts: Uint32Array,
  ) {}

  static create(uri: string, languageId: string, version: number, text: string): DocumentSnapshot {
    const starts = [0];
    collectLineStarts(text, 0, text.length, starts);
    return new DocumentSnapshot(uri, languageId, version, text, Uint32Array.from(starts));
  }

  /**
   * Returns the snapshot of the next version, `edit` being the change from this one. Line
   * starts before the edit are kept, those after it are shifted, and only the edited range
   * (and the character before it, which may be a CR now followed by a LF) is scanned.
   */
  next(version: number, text: string, edit: TextEdit): DocumentSnapshot {
    const old = this.lineStarts;
    const before = upperBound(old, edit.start - 1);
    // A line starting at or after oldEnd + 1 follows a line break that the edit did not touch.
    const after = upperBound(old, edit.oldEnd);
    const middle: number[] = before === 0 ? [0] : [];
    collectLineStarts(text, Math.max(edit.start - 1, 0), edit.newEnd, middle);

    const delta = edit.newEnd - edit.oldEnd;
    const starts = new Uint32Array(before + middle.length + (old.length - after));
    starts.set(old.subarray(0, before), 0);
    starts.set(middle, before);
    let index = before + middle.length;
    for (let oldIndex = after; oldIndex < old.length; oldIndex++) starts[index++] = old[oldIndex]! + delta;
    return new DocumentSnapshot(this.uri, this.languageId, version, text, starts);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  getText(range?: Range): string {
    if (range === undefined) return this.text;
    return this.text.substring(this.offsetAt(range.start), this.offsetAt(range.end));
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(Math.min(offset, this.text.length), 0);
    const line = upperBound(this.lineStarts, clamped) - 1;
    const lineStart = this.lineStarts[line]!;
    return { line, character: this.beforeLineBreak(clamped, lineStart) - lineStart };
  }

  offsetAt(position: Position): number {
    const starts = this.lineStarts;
    if (position.line >= starts.length) return this.text.length;
    if (position.line < 0) return 0;
    const lineStart = starts[position.line]!;
    if (position.character <= 0) return lineStart;
    const nextLineStart = position.line + 1 < starts.length ? starts[position.line + 1]! : this.text.length;
    return this.beforeLineBreak(Math.min(lineStart + position.character, nextLineStart), lineStart);
  }

  private beforeLineBreak(offset: number, lineStart: number): number {
    let result = offset;
    while (result > lineStart) {
      const code = this.text.charCodeAt(result - 1);
      if (code !== LINE_FEED && code !== CARRIAGE_RETURN) break;
      result--;
    }
    return result;
  }
}

/** Returns the number of entries of the sorted array that are at most `value`. */
function upperBound(array: Uint32Array, value: number): number {
  let low = 0;
  let high = array.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (array[middle]! <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}
