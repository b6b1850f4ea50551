/** Markdown descriptions of list questions, shared by hover and completion. */

import type { QuestionCatalog, SecurityQuestion } from '../check/model';

export const REFRESH_COMMAND_TITLE = 'IBKR: Refresh Security Question List';

/** Escapes text from a question list so Markdown shows it literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (character) => `\\${character}`);
}

const NOT_STATED = 'not stated in the list';

/** Returns the question's rules from the list as Markdown bullets, with "not stated" for a field the list leaves empty. */
export function questionRuleLines(question: SecurityQuestion): string[] {
  let canBeNumber = NOT_STATED;
  if (question.canBeNumber !== undefined) canBeNumber = question.canBeNumber ? 'yes' : 'no';
  const minimum = question.minAnswerLength === undefined ? NOT_STATED : `${question.minAnswerLength} ${question.minAnswerLength === 1 ? 'character' : 'characters'}`;
  const repeats = question.maxRepeatableCharsCount === undefined ? NOT_STATED : String(question.maxRepeatableCharsCount);
  return [`- Answer can be a number: ${canBeNumber}`, `- Minimum answer length: ${minimum}`, `- Maximum repeatable characters (maxRepeatableCharsCount): ${repeats}`];
}

export function describeQuestion(question: SecurityQuestion, catalog: QuestionCatalog): string {
  return [`**Question ${escapeMarkdown(question.id)}**: ${escapeMarkdown(question.question)}`, '', ...questionRuleLines(question), '', `List: ${escapeMarkdown(catalog.origin)}`].join('\n');
}
