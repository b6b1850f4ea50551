import type { AttributeNode, ElementNode, Problem } from '../model';
import { createProblem, type RequestRule } from './rule';
import { capitalize, describeAnswer, isBlank } from './values';

interface RequiredAttribute {
  element: ElementNode;
  name: string;
  attribute: AttributeNode | undefined;
  /** Names the value at the start of a message, e.g. "The answer of question 9161083"; built only for a problem. */
  subject: () => string;
  /** The value to write, e.g. "the IBKR user name". */
  expected: string;
}

/** Reports the attribute missing (on the element's name) or blank (on its value). */
function checkRequired({ element, name, attribute, subject, expected }: RequiredAttribute): Problem | undefined {
  if (attribute === undefined) {
    return createProblem('required-attribute', element.nameSpan, `${element.localName} has no ${name} attribute. Add ${name}="..." with ${expected}.`, { data: { attribute: name } });
  }
  if (isBlank(attribute.value)) {
    return createProblem('empty-value', attribute.valueSpan, `${subject()} is empty. Write ${expected}.`, { data: { attribute: name } });
  }
  return undefined;
}

/**
 * Reports a missing or blank reference_user_name, question or answer. The other rules skip
 * blank values, so a blank value gives this one problem only.
 */
export const checkRequiredAttributes: RequestRule = (request) => {
  const required: RequiredAttribute[] = [
    {
      element: request.element,
      name: 'reference_user_name',
      attribute: request.userName,
      subject: () => 'reference_user_name',
      expected: 'the IBKR user name of the account (not the account id)',
    },
  ];
  request.details.forEach((detail, index) => {
    required.push(
      { element: detail.element, name: 'question', attribute: detail.question, subject: () => `The question of Details ${index + 1}`, expected: 'a question id from the SECURITY_QUESTIONS list, e.g. 9161083' },
      { element: detail.element, name: 'answer', attribute: detail.answer, subject: () => capitalize(describeAnswer(detail, index)), expected: 'the answer to the question' },
    );
  });

  const problems: Problem[] = [];
  for (const entry of required) {
    const problem = checkRequired(entry);
    if (problem !== undefined) {
      problems.push(problem);
    }
  }
  return problems;
};
