/** The shape shared by all quick fixes. */

import type { Problem } from '../check/model';
import type { Analysis } from '../documents';
import type { OffsetEdit } from './xmlEdits';

export interface FixContext {
  analysis: Analysis;
  /** The problem of the current check that the client's diagnostic refers to. */
  problem: Problem;
  text: string;
}

export interface QuickFix {
  title: string;
  isPreferred: boolean;
  /** The edits, or a function that computes them when the fix is applied. */
  edits: OffsetEdit[] | (() => OffsetEdit[]);
  /**
   * True when the edits copy document text such as an answer. The server then sends such a
   * fix without its edit and adds the edit only in `codeAction/resolve`, so the answer
   * crosses the connection only when the user applies the fix.
   */
  containsDocumentText?: boolean;
}

export function quickFix(title: string, edits: OffsetEdit[], isPreferred = true): QuickFix {
  return { title, isPreferred, edits };
}
