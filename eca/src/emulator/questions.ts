/**
 * The emulator's own SECURITY_QUESTIONS list. The ids 9161083, 6688721 and 9161123 are those of
 * IBKR's request sample; every question text is made up, as are the other ids.
 */

import type { QuestionListEntry } from '../types';

export const EMULATOR_QUESTIONS: readonly QuestionListEntry[] = [
  { id: '9161083', question: 'What was the name of your first pet?', canBeNumber: false, minAnswerLength: 2, maxRepeatableCharsCount: 3 },
  { id: '6688721', question: 'In which city were you born?', canBeNumber: false, minAnswerLength: 2, maxRepeatableCharsCount: 3 },
  { id: '9161123', question: 'What was the model of your first car?', canBeNumber: true, minAnswerLength: 1, maxRepeatableCharsCount: 4 },
  { id: '1000001', question: 'What is the name of the street you grew up on?', canBeNumber: false, minAnswerLength: 3, maxRepeatableCharsCount: 3 },
  { id: '1000002', question: 'What was the name of your primary school?', canBeNumber: false, minAnswerLength: 3, maxRepeatableCharsCount: 3 },
  { id: '1000003', question: 'What is your oldest sibling’s middle name?', canBeNumber: false, minAnswerLength: 2, maxRepeatableCharsCount: 3 },
  { id: '1000004', question: 'What was your childhood nickname?', canBeNumber: false, minAnswerLength: 2, maxRepeatableCharsCount: 3 },
  { id: '1000005', question: 'In which year did you finish secondary school?', canBeNumber: true, minAnswerLength: 4, maxRepeatableCharsCount: 4 },
  { id: '1000006', question: 'What is the last name of your favourite teacher?', canBeNumber: false, minAnswerLength: 2, maxRepeatableCharsCount: 3 },
  { id: '1000007', question: 'What was the first concert you attended?', canBeNumber: false, minAnswerLength: 3, maxRepeatableCharsCount: 3 },
  { id: '1000008', question: 'What is the name of the town where your parents met?', canBeNumber: false, minAnswerLength: 2, maxRepeatableCharsCount: 3 },
  { id: '1000009', question: 'What was your first job title?', canBeNumber: false, minAnswerLength: 3, maxRepeatableCharsCount: 3 },
  { id: '1000010', question: 'What was the house number of your childhood home?', canBeNumber: true, minAnswerLength: 1, maxRepeatableCharsCount: 4 },
  { id: '1000011', question: 'What is your favourite book from childhood?', canBeNumber: false, minAnswerLength: 3, maxRepeatableCharsCount: 3 },
  { id: '1000012', question: 'What was the name of your first employer?', canBeNumber: false, minAnswerLength: 2, maxRepeatableCharsCount: 3 },
  { id: '1000013', question: 'What is your maternal grandmother’s first name?', canBeNumber: false, minAnswerLength: 2, maxRepeatableCharsCount: 3 },
  { id: '1000014', question: 'Which sports team did you support as a child?', canBeNumber: false, minAnswerLength: 3, maxRepeatableCharsCount: 3 },
  { id: '1000015', question: 'What was the destination of your first flight?', canBeNumber: false, minAnswerLength: 3, maxRepeatableCharsCount: 3 },
  { id: '1000016', question: 'What is the name of your first stuffed toy?', canBeNumber: false, minAnswerLength: 2, maxRepeatableCharsCount: 3 },
  { id: '1000017', question: 'In which hospital were you born?', canBeNumber: false, minAnswerLength: 3, maxRepeatableCharsCount: 3 },
  { id: '1000018', question: 'What was your first phone number’s last four digits?', canBeNumber: true, minAnswerLength: 4, maxRepeatableCharsCount: 4 },
  { id: '1000019', question: 'What was the make of your first bicycle?', canBeNumber: false, minAnswerLength: 2, maxRepeatableCharsCount: 3 },
  { id: '1000020', question: 'What is the middle name of your youngest cousin?', canBeNumber: false, minAnswerLength: 2, maxRepeatableCharsCount: 3 },
  { id: '1000021', question: 'What was the name of your favourite restaurant in college?', canBeNumber: false, minAnswerLength: 3, maxRepeatableCharsCount: 3 },
];

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function flagField(value: boolean | undefined): string {
  if (value === undefined) return '';
  return value ? 'T' : 'F';
}

/**
 * Writes a question list as CSV with a header row, in the columns of IBKR's Web API. The column
 * order is deliberately not the Web API's, so that a client that assumes an order fails on it.
 */
export function questionsToCsv(questions: readonly QuestionListEntry[]): string {
  const header = ['question', 'id', 'minAnswerLength', 'canBeNumber', 'maxRepeatableCharsCount'];
  const rows = questions.map((entry) =>
    [
      csvField(entry.question),
      entry.id,
      entry.minAnswerLength === undefined ? '' : String(entry.minAnswerLength),
      flagField(entry.canBeNumber),
      entry.maxRepeatableCharsCount === undefined ? '' : String(entry.maxRepeatableCharsCount),
    ].join(','),
  );
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
}
