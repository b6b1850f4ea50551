import type { AttributeNode, ElementNode, Problem } from '../model';
import { createProblem, NO_PROBLEMS, type RequestRule } from './rule';
import { capitalize, describeAnswer, isBlank } from './values';

/** Descriptions of the values that the required attributes expect, for the messages. */
const EXPECTED_USER_NAME = 'the IBKR user name of the account (not the account id)';
const EXPECTED_QUESTION = 'a question id from the SECURITY_QUESTIONS list, e.g. 9161083';
const EXPECTED_ANSWER = 'the answer to the question';

/**
 * Returns the problem of an attribute that is missing (on the element's name) or blank (on its
 * value). `subject` names the value at the start of the message, e.g. "The answer of question 9161083".
 */
function requiredProblem(element: ElementNode, name: string, attribute: AttributeNode | undefined, subject: string, expected: string): Problem {
  if (attribute === undefined) {
    return createProblem('required-attribute', element.nameSpan, `${element.localName} has no ${name} attribute. Add ${name}="..." with ${expected}.`, { data: { attribute: name } });
  }
  return createProblem('empty-value', attribute.valueSpan, `${subject} is empty. Write ${expected}.`, { data: { attribute: name } });
}

function isMissingOrBlank(attribute: AttributeNode | undefined): boolean {
  return attribute === undefined || isBlank(attribute.value);
}

/**
 * Reports a missing or blank reference_user_name, question or answer. The other rules skip
 * blank values, so a blank value gives this one problem only.
 */
export const checkRequiredAttributes: RequestRule = (request) => {
  let problems: Problem[] | undefined;
  // Messages are built only for a problem, as almost every request has all three attributes.
  if (isMissingOrBlank(request.userName)) {
    (problems ??= []).push(requiredProblem(request.element, 'reference_user_name', request.userName, 'reference_user_name', EXPECTED_USER_NAME));
  }
  const details = request.details;
  for (let index = 0; index < details.length; index++) {
    const detail = details[index]!;
    if (isMissingOrBlank(detail.question)) {
      (problems ??= []).push(requiredProblem(detail.element, 'question', detail.question, `The question of Details ${index + 1}`, EXPECTED_QUESTION));
    }
    if (isMissingOrBlank(detail.answer)) {
      (problems ??= []).push(requiredProblem(detail.element, 'answer', detail.answer, capitalize(describeAnswer(detail, index)), EXPECTED_ANSWER));
    }
  }
  return problems ?? NO_PROBLEMS;
};
