/** Building blocks for request files in rule tests. */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseQuestionList } from '../../../server/src/check/catalog';
import { IBKR_NAMESPACE, type QuestionCatalog } from '../../../server/src/check/model';

export const NS = IBKR_NAMESPACE;

export const RULES_FIXTURES = path.resolve(__dirname, '../../fixtures/rules');

/** Wraps request elements in an AcctMgmtRequests root in the IBKR namespace. */
export function wrap(requests: string, declaration = ''): string {
  return `${declaration}<AcctMgmtRequests xmlns="${NS}">\n${requests}\n</AcctMgmtRequests>\n`;
}

export const UTF8_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Three Details with the ids of IBKR's sample and answers that pass every rule of its list. */
export const VALID_DETAILS = [
  '    <Details question="9161083" answer="answer1"/>',
  '    <Details question="6688721" answer="demo2"/>',
  '    <Details question="9161123" answer="text3"/>',
].join('\n');

export function securityQuestions(details: string, attributes = 'reference_user_name="tester1234"'): string {
  return `  <SecurityQuestions ${attributes}>\n${details}\n  </SecurityQuestions>`;
}

export function readFixture(name: string): string {
  return readFileSync(path.join(RULES_FIXTURES, name), 'utf8');
}

/** The question list that contains the three ids of IBKR's sample request. */
export function loadSampleCatalog(): QuestionCatalog {
  const result = parseQuestionList(readFixture('ibkr-sample-questions.json'), 'ibkr-sample-questions.json');
  if ('error' in result) {
    throw new Error(result.error.message);
  }
  return result.catalog;
}
