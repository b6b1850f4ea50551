/**
 * Hover on a question id (its text and rules from the loaded list) and on an answer (its
 * length against IBKR's limit). An answer hover never contains the answer.
 */

import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';

import { findQuestion } from '../check/catalog';
import { spanToRange } from '../check/diagnostics';
import { findKnownInputLanguage } from '../check/languages';
import type { AttributeNode, QuestionCatalog } from '../check/model';
import { requestsAt } from '../check/requests';
import { MAX_ANSWER_LENGTH } from '../check/rules/answerLength';
import { countCodePoints, DECIMAL_INTEGER, utf8ByteLength } from '../check/rules/values';
import type { Analysis } from '../documents';
import { describeQuestion, escapeMarkdown, REFRESH_COMMAND_TITLE } from './questionText';

export function hover(analysis: Analysis, position: Position): Hover | null {
  if (!analysis.result.applies) return null;
  const offset = analysis.document.offsetAt(position);

  for (const request of requestsAt(analysis.requests, offset)) {
    if (request.inputLanguage !== undefined && covers(request.inputLanguage, offset)) {
      return toHover(analysis, request.inputLanguage, describeInputLanguage(request.inputLanguage.value));
    }
    for (const detail of request.details) {
      if (detail.question !== undefined && covers(detail.question, offset)) {
        return toHover(analysis, detail.question, describeQuestionId(detail.question.value.trim(), analysis.catalog));
      }
      if (detail.answer !== undefined && covers(detail.answer, offset)) {
        const questionId = detail.question?.value.trim();
        const question = analysis.catalog !== undefined && questionId ? findQuestion(analysis.catalog, questionId) : undefined;
        return toHover(analysis, detail.answer, describeAnswerLength(detail.answer.value, question?.minAnswerLength));
      }
    }
  }
  return null;
}

/** True when the offset is on the attribute's name or inside its value, quotes included. */
function covers(attribute: AttributeNode, offset: number): boolean {
  const end = attribute.complete ? attribute.valueSpan.end + 1 : attribute.valueSpan.end;
  return offset >= attribute.nameSpan.start && offset <= end;
}

function toHover(analysis: Analysis, attribute: AttributeNode, markdown: string): Hover {
  const span = { start: attribute.nameSpan.start, end: attribute.complete ? attribute.valueSpan.end + 1 : attribute.valueSpan.end };
  return { contents: { kind: MarkupKind.Markdown, value: markdown }, range: spanToRange(span, analysis.document) };
}

function describeQuestionId(id: string, catalog: QuestionCatalog | undefined): string {
  if (id === '') return 'The question id is empty. Write an id from the SECURITY_QUESTIONS list.';
  // A value that is not an id may be an answer typed in the wrong attribute: it is never shown.
  if (!DECIMAL_INTEGER.test(id)) return 'The question id is not a decimal integer. Write an id from the SECURITY_QUESTIONS list, digits only.';
  const shownId = escapeMarkdown(id);
  if (catalog === undefined) {
    return `No security question list is loaded, so question ${shownId} cannot be looked up. Set \`ibkr.securityQuestions.catalogFile\` or run "${REFRESH_COMMAND_TITLE}".`;
  }
  const question = findQuestion(catalog, id);
  if (question === undefined) return `Question ${shownId} is not in the loaded list (${escapeMarkdown(catalog.origin)}).`;
  return describeQuestion(question, catalog);
}

/** Describes the answer's size, never its text, which is a secret. */
function describeAnswerLength(answer: string, minimumLength: number | undefined): string {
  const characters = countCodePoints(answer);
  const bytes = utf8ByteLength(answer);
  const lines = [
    `**Answer**: ${characters} ${characters === 1 ? 'character' : 'characters'} (Unicode code points after XML decoding). IBKR allows at most ${MAX_ANSWER_LENGTH}.`,
    '',
    `UTF-8 size: ${bytes} ${bytes === 1 ? 'byte' : 'bytes'}. IBKR does not say whether its limit counts characters or bytes, so more than ${MAX_ANSWER_LENGTH} bytes may be rejected.`,
  ];
  if (minimumLength !== undefined) {
    lines.push('', `The question requires at least ${minimumLength} ${minimumLength === 1 ? 'character' : 'characters'}.`);
  }
  return lines.join('\n');
}

function describeInputLanguage(value: string): string {
  const known = findKnownInputLanguage(value.trim());
  if (known === undefined) return `\`input_language\` ${escapeMarkdown(value)} is not one of the languages IBKR lists.`;
  let name: string | undefined;
  try {
    name = new Intl.DisplayNames(['en'], { type: 'language' }).of(known);
  } catch {
    name = undefined;
  }
  return `\`input_language\` ${escapeMarkdown(known)}${name === undefined ? '' : ` (${escapeMarkdown(name)})`}: the language of the answers. IBKR assumes \`en\` when the attribute is missing.`;
}
