/**
 * Every rule, in the order their problems are listed. Document rules see the whole file;
 * request rules see one request each.
 */

import { SECURITY_QUESTIONS } from '../requests';
import { checkAnswerConstraints } from './answerConstraint';
import { checkAnswerDuplicate } from './answerDuplicate';
import { checkAnswerLength } from './answerLength';
import { checkDetailsCount } from './detailsCount';
import { checkDuplicateUser } from './duplicateUser';
import { checkEncodingDeclaration } from './encodingDeclaration';
import { checkInputLanguage } from './inputLanguage';
import { checkRequestNamespace, checkWrapperNamespace } from './namespace';
import { checkQuestionDuplicate } from './questionDuplicate';
import { checkQuestionFormat } from './questionFormat';
import { checkQuestionUnknown } from './questionUnknown';
import { checkRequestTypeUnchecked } from './requestTypeUnchecked';
import { checkRequiredAttributes } from './requiredAttributes';
import { checkRootElement } from './rootElement';
import { forRequestType, type DocumentRule, type RequestRule } from './rule';
import { checkSecurityQuestionsContent, checkWrapperContent } from './unexpectedContent';
import { checkUnknownAttributes } from './unknownAttribute';

export type { DocumentRule, RequestRule, RuleContext } from './rule';

export const DOCUMENT_RULES: readonly DocumentRule[] = [
  checkEncodingDeclaration,
  checkRootElement,
  checkWrapperNamespace,
  checkWrapperContent,
  checkDuplicateUser,
];

const SECURITY_QUESTIONS_RULES: readonly RequestRule[] = [
  checkUnknownAttributes,
  checkRequiredAttributes,
  checkSecurityQuestionsContent,
  checkDetailsCount,
  checkInputLanguage,
  checkQuestionFormat,
  checkQuestionUnknown,
  checkQuestionDuplicate,
  checkAnswerLength,
  checkAnswerDuplicate,
  checkAnswerConstraints,
];

export const REQUEST_RULES: readonly RequestRule[] = [
  checkRequestNamespace,
  checkRequestTypeUnchecked,
  forRequestType(SECURITY_QUESTIONS, SECURITY_QUESTIONS_RULES),
];
