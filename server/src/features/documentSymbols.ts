/**
 * The outline of a request file: each request, with its user name as detail, and for a
 * SecurityQuestions request its Details by question id. Answers never appear, nor a question
 * value that is not an id.
 */

import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';

import { findQuestion } from '../check/catalog';
import { spanToRange } from '../check/diagnostics';
import type { Span } from '../check/model';
import type { DetailInfo } from '../check/requests';
import { DECIMAL_INTEGER } from '../check/rules/values';
import type { Analysis } from '../documents';

/**
 * Returns the outline: at most `ibkr.symbols.maxItemsComputed` symbols, requests and Details
 * counted alike, in document order. `onLimit` is called when symbols were left out.
 */
export function documentSymbols(analysis: Analysis, onLimit?: (maxItems: number) => void): DocumentSymbol[] {
  if (!analysis.result.applies) return [];
  const document = analysis.document;
  const maxItems = analysis.settings.symbols.maxItemsComputed;
  let remaining = maxItems;
  const symbols: DocumentSymbol[] = [];

  for (const request of analysis.requests) {
    if (remaining === 0) {
      onLimit?.(maxItems);
      break;
    }
    remaining--;
    const userName = request.userName?.value.trim();
    const symbol: DocumentSymbol = {
      name: request.requestType || request.element.name || 'request',
      detail: userName ? userName : '(no reference_user_name)',
      kind: SymbolKind.Object,
      range: spanToRange(request.element.span, document),
      selectionRange: spanToRange(within(request.element.nameSpan, request.element.span), document),
    };
    // The Details of a request in a large file are parsed again when read, so they are read once.
    const details = request.details;
    if (details.length > 0) {
      const listed = details.length <= remaining ? details : details.slice(0, remaining);
      remaining -= listed.length;
      symbol.children = listed.map((detail, index) => detailSymbol(analysis, detail, index));
      if (listed.length < details.length) onLimit?.(maxItems);
    }
    symbols.push(symbol);
  }
  return symbols;
}

function detailSymbol(analysis: Analysis, detail: DetailInfo, index: number): DocumentSymbol {
  const id = detail.question?.value.trim() ?? '';
  const question = id !== '' && analysis.catalog !== undefined ? findQuestion(analysis.catalog, id) : undefined;
  const selection = detail.question !== undefined ? detail.question.valueSpan : detail.element.nameSpan;
  const symbol: DocumentSymbol = {
    name: symbolName(id, index),
    kind: SymbolKind.Field,
    range: spanToRange(detail.element.span, analysis.document),
    selectionRange: spanToRange(within(selection, detail.element.span), analysis.document),
  };
  if (question !== undefined) symbol.detail = question.question;
  return symbol;
}

/** A question value that is not an id may be an answer typed in the wrong attribute, so it is never shown. */
function symbolName(id: string, index: number): string {
  if (id === '') return `Details ${index + 1} (no question id)`;
  return DECIMAL_INTEGER.test(id) ? id : `Details ${index + 1} (invalid question id)`;
}

/** Clamps `inner` into `outer`, because LSP requires the selection range inside the symbol's range. */
function within(inner: Span, outer: Span): Span {
  const start = Math.min(Math.max(inner.start, outer.start), outer.end);
  const end = Math.min(Math.max(inner.end, start), outer.end);
  return { start, end };
}
