import { findKnownInputLanguage, isKnownInputLanguageAsWritten, isWellFormedInputLanguage, KNOWN_INPUT_LANGUAGE_LIST } from '../languages';
import { createProblem, NO_PROBLEMS, type RequestRule } from './rule';

/**
 * Reports an `input_language` that is not `language[-Script]` (an error), and warns about a
 * well-formed one outside the languages IBKR lists.
 */
export const checkInputLanguage: RequestRule = (request) => {
  const attribute = request.inputLanguage;
  if (attribute === undefined) {
    return NO_PROBLEMS;
  }
  const value = attribute.value;
  if (isKnownInputLanguageAsWritten(value)) {
    return NO_PROBLEMS;
  }
  const known = KNOWN_INPUT_LANGUAGE_LIST;

  if (value.trim() === '') {
    return [
      createProblem('input-language', attribute.valueSpan, `input_language is empty. Remove the attribute to use IBKR's default (en), or write one of: ${known}.`, {
        data: { value },
      }),
    ];
  }
  if (!isWellFormedInputLanguage(value)) {
    return [
      createProblem(
        'input-language',
        attribute.valueSpan,
        `input_language "${value}" is not a language tag of the form language[-Script], such as en or zh-Hans. Write one of: ${known}.`,
        { data: { value } },
      ),
    ];
  }
  if (findKnownInputLanguage(value) === undefined) {
    return [
      createProblem(
        'input-language',
        attribute.valueSpan,
        `input_language "${value}" is well-formed but not one of the languages IBKR lists (${known}). IBKR may reject it: use one of those.`,
        { severity: 'warning', data: { value } },
      ),
    ];
  }
  return NO_PROBLEMS;
};
