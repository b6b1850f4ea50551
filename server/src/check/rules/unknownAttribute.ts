import type { AttributeNode, ElementNode, Problem } from '../model';
import { createProblem, NO_PROBLEMS, type RequestRule } from './rule';

const XML_SCHEMA_INSTANCE_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

/** Attributes that IBKR's XSD defines for SecurityQuestions and for Details. */
const SECURITY_QUESTIONS_ATTRIBUTES: readonly string[] = ['reference_user_name', 'input_language'];
const DETAILS_ATTRIBUTES: readonly string[] = ['question', 'answer'];

/** Namespace declarations and xsi:* attributes are allowed on every element. */
function isAllowedEverywhere(attribute: AttributeNode): boolean {
  return attribute.name === 'xmlns' || attribute.prefix === 'xmlns' || attribute.namespaceURI === XML_SCHEMA_INSTANCE_NAMESPACE;
}

/** Returns the defined attribute that the user probably meant: the same name in another case, or without a prefix. */
function suggestAttribute(attribute: AttributeNode, defined: readonly string[]): string | undefined {
  const lower = attribute.localName.toLowerCase();
  return defined.find((name) => name.toLowerCase() === lower);
}

/**
 * Adds a problem for each attribute of `element` outside `defined` to `problems`, which is
 * created on the first problem. `first` and `second` are the attributes that `findAttribute`
 * found for the names in `defined`, if any. They are compared by identity before any name,
 * because that is faster.
 */
function checkElementAttributes(
  problems: Problem[] | undefined,
  element: ElementNode,
  defined: readonly string[],
  first: AttributeNode | undefined,
  second: AttributeNode | undefined,
): Problem[] | undefined {
  for (const attribute of element.attributes) {
    if (attribute === first || attribute === second || isAllowedEverywhere(attribute)) {
      continue;
    }
    if (attribute.prefix === undefined && defined.includes(attribute.localName)) {
      continue;
    }

    const suggestion = suggestAttribute(attribute, defined);
    let advice: string;
    if (suggestion !== undefined && attribute.prefix !== undefined) {
      advice = ` Write ${suggestion} without a prefix.`;
    } else if (suggestion !== undefined) {
      advice = ` Attribute names are case-sensitive: write ${suggestion}.`;
    } else {
      advice = ' Remove it.';
    }
    // The whole attribute, from its name to the closing quote, so a quick fix can delete it.
    const attributeEnd = attribute.complete ? attribute.valueSpan.end + 1 : attribute.valueSpan.end;
    (problems ??= []).push(
      createProblem(
        'unknown-attribute',
        attribute.nameSpan,
        `Attribute ${attribute.name} is not defined for ${element.localName}, which takes only ${defined.join(' and ')}.${advice}`,
        { data: { attribute: attribute.name, attributeSpan: { start: attribute.nameSpan.start, end: attributeEnd }, suggestion: suggestion ?? null } },
      ),
    );
  }
  return problems;
}

/** Reports attributes that a SecurityQuestions request or its Details do not define. */
export const checkUnknownAttributes: RequestRule = (request) => {
  let problems = checkElementAttributes(undefined, request.element, SECURITY_QUESTIONS_ATTRIBUTES, request.userName, request.inputLanguage);
  for (const detail of request.details) {
    problems = checkElementAttributes(problems, detail.element, DETAILS_ATTRIBUTES, detail.question, detail.answer);
  }
  return problems ?? NO_PROBLEMS;
};
