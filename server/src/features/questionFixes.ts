/** Quick fixes for the content of a SecurityQuestions request: question ids, Details, input_language. */

import { canonicalQuestionId } from '../check/catalog';
import { findKnownInputLanguage } from '../check/languages';
import type { ElementNode, SecurityQuestion } from '../check/model';
import { DETAILS_ELEMENT, requestsAt, type RequestInfo } from '../check/requests';
import { REQUIRED_DETAILS_COUNT } from '../check/rules/detailsCount';
import { DECIMAL_INTEGER } from '../check/rules/values';
import { quickFix, type FixContext, type QuickFix } from './fixTypes';
import { attributeEnd, editDistance, indentationBefore, indentUnit, insertAt, lineEnding, replaceSpan, startOfSpaceBefore, type OffsetEdit } from './xmlEdits';

/** Enough choices to cover a likely typo and a few alternatives without flooding the menu. */
export const MAX_QUESTION_CHOICES = 8;

/** Returns the questions of the list that no Details of the request uses, in list order. */
export function unusedQuestions(context: FixContext, request: RequestInfo | undefined): SecurityQuestion[] {
  const catalog = context.analysis.catalog;
  if (catalog === undefined) return [];
  const used = new Set<string>();
  for (const detail of request?.details ?? []) {
    const id = detail.question?.value.trim();
    if (id) used.add(canonicalQuestionId(id));
  }
  return [...catalog.questions.values()].filter((question) => !used.has(canonicalQuestionId(question.id)));
}

/** Returns the value a fix writes into a missing attribute: the first unused question id for `question`, else empty. */
export function defaultAttributeValue(context: FixContext, element: ElementNode, name: string): string {
  if (name !== 'question') return '';
  // Compared by offset: the Details of a request may be parsed again, as new nodes, for each reader.
  const request = requestsAt(context.analysis.requests, element.span.start).find((candidate) => candidate.details.some((detail) => detail.element.span.start === element.span.start));
  return unusedQuestions(context, request)[0]?.id ?? '';
}

function findDetailByQuestionSpan(context: FixContext): { request: RequestInfo; questionStart: number; questionEnd: number; value: string } | undefined {
  for (const request of requestsAt(context.analysis.requests, context.problem.span.start)) {
    for (const detail of request.details) {
      const question = detail.question;
      if (question !== undefined && question.valueSpan.start === context.problem.span.start) {
        return { request, questionStart: question.valueSpan.start, questionEnd: question.valueSpan.end, value: question.value.trim() };
      }
    }
  }
  return undefined;
}

/**
 * Returns one fix per unused question id for a duplicate, unknown or malformed id. An unknown id
 * ranks the ids closest to it first (a likely typo). A malformed id that is the text of a
 * question in the list gets that question's id as the preferred fix.
 */
export function fixQuestionId(context: FixContext): QuickFix[] {
  const found = findDetailByQuestionSpan(context);
  if (found === undefined) return [];
  const candidates = unusedQuestions(context, found.request);

  const byText = context.problem.code === 'question-format' ? candidates.find((question) => normalizeText(question.question) === normalizeText(found.value)) : undefined;
  let ranked = candidates;
  if (byText !== undefined) {
    ranked = [byText, ...candidates.filter((question) => question !== byText)];
  } else if (context.problem.code === 'question-unknown') {
    ranked = candidates
      .map((question, index) => ({ question, index, distance: editDistance(found.value, question.id) }))
      .sort((a, b) => a.distance - b.distance || a.index - b.index)
      .map((entry) => entry.question);
  }

  const choices = ranked.slice(0, MAX_QUESTION_CHOICES);
  const idSpan = { start: found.questionStart, end: found.questionEnd };
  // An id with white space around it most likely means that id: trimming is the fix to prefer.
  const trim = context.problem.code === 'question-format' && DECIMAL_INTEGER.test(found.value) ? quickFix(`Trim to ${found.value}`, [replaceSpan(idSpan, found.value)]) : undefined;
  const replacements = choices.map((question) => {
    const title = `Change to question ${question.id}: ${truncate(question.question, 60)}`;
    return quickFix(title, [replaceSpan(idSpan, question.id)], trim === undefined && (question === byText || choices.length === 1));
  });
  return trim === undefined ? replacements : [trim, ...replacements];
}

/**
 * Adds the Details that a request with fewer than 3 lacks, each with an unused question id
 * and an empty answer, indented like its siblings.
 */
export function fixDetailsCount(context: FixContext): QuickFix[] {
  const request = requestsAt(context.analysis.requests, context.problem.span.start).find((candidate) => candidate.element.nameSpan.start === context.problem.span.start);
  if (request === undefined || !request.element.startTagComplete) return [];
  const missing = REQUIRED_DETAILS_COUNT - request.details.length;
  if (missing <= 0) return [];

  const ids = unusedQuestions(context, request).map((question) => question.id);
  const detailsName = request.element.prefix === undefined ? DETAILS_ELEMENT : `${request.element.prefix}:${DETAILS_ELEMENT}`;
  const line = (index: number): string => `<${detailsName} question="${ids[index] ?? ''}" answer="" />`;

  const fixes: QuickFix[] = [];
  const first = ids[0];
  const title = first === undefined ? 'Add a Details element' : `Add a Details element with question ${first}`;
  // A wrongly cased <details> is counted out; renaming it (an unexpected-content fix) may be
  // all that is missing, and applying both preferred fixes would add one Details too many.
  const miscased = request.element.children.some((child) => child.kind === 'element' && child.localName !== DETAILS_ELEMENT && child.localName.toLowerCase() === DETAILS_ELEMENT.toLowerCase());
  fixes.push(quickFix(title, insertDetailsLines(context.text, request, [line(0)]), missing === 1 && !miscased));
  if (missing > 1) {
    const lines = Array.from({ length: missing }, (_, index) => line(index));
    fixes.push(quickFix(`Add ${missing} Details elements`, insertDetailsLines(context.text, request, lines)));
  }
  return fixes;
}

function insertDetailsLines(text: string, request: RequestInfo, lines: string[]): OffsetEdit[] {
  const element = request.element;
  const eol = lineEnding(text);
  const ownIndent = indentationBefore(text, element.span.start) ?? '';
  const lastDetail = request.details[request.details.length - 1]?.element;
  const childIndent = (lastDetail !== undefined ? indentationBefore(text, lastDetail.span.start) : undefined) ?? ownIndent + indentUnit(text, element);
  const block = lines.map((line) => eol + childIndent + line).join('');

  if (element.selfClosing) {
    // `<SecurityQuestions …/>` becomes `<SecurityQuestions …>` + lines + end tag.
    const tagEnd = element.startTagSpan.end;
    if (text.slice(tagEnd - 2, tagEnd) !== '/>') return [];
    return [replaceSpan({ start: tagEnd - 2, end: tagEnd }, `>${block}${eol}${ownIndent}</${element.name}>`)];
  }
  if (lastDetail !== undefined) {
    return [insertAt(lastDetail.span.end, block)];
  }
  const afterStartTag = element.startTagSpan.end;
  const endTagStart = element.endTagSpan?.start;
  // An end tag on the same line as the start tag moves to its own line.
  const endTagOnSameLine = endTagStart !== undefined && !/[\r\n]/.test(text.slice(afterStartTag, endTagStart));
  return [insertAt(afterStartTag, endTagOnSameLine ? `${block}${eol}${ownIndent}` : block)];
}

/** Corrects the case of a known language, or removes input_language so IBKR uses its default (en). */
export function fixInputLanguage(context: FixContext): QuickFix[] {
  const request = requestsAt(context.analysis.requests, context.problem.span.start).find((candidate) => candidate.inputLanguage?.valueSpan.start === context.problem.span.start);
  const attribute = request?.inputLanguage;
  if (attribute === undefined) return [];

  const fixes: QuickFix[] = [];
  const known = findKnownInputLanguage(attribute.value.trim());
  if (known !== undefined && known !== attribute.value) {
    fixes.push(quickFix(`Change to ${known}`, [replaceSpan(attribute.valueSpan, known)]));
  }
  const whole = { start: startOfSpaceBefore(context.text, attribute.nameSpan.start), end: attributeEnd(attribute, context.text) };
  fixes.push(quickFix('Remove input_language (IBKR then assumes en)', [replaceSpan(whole, '')], false));
  return fixes;
}

function normalizeText(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

function truncate(text: string, length: number): string {
  const characters = [...text];
  return characters.length <= length ? text : `${characters.slice(0, length - 1).join('')}…`;
}
