/**
 * Every diagnostic code the checks produce, with its default severity and a one-line summary.
 * The README's table of codes is written from this list, and a test keeps the two in step.
 */

export const DIAGNOSTIC_SOURCE = 'ibkr';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export const DiagnosticCodes = {
  // XML syntax
  xmlWellformed: 'xml-wellformed',
  doctypeNotAllowed: 'doctype-not-allowed',
  entityUndefined: 'entity-undefined',
  encodingDeclaration: 'encoding-declaration',
  // Structure
  rootElement: 'root-element',
  namespace: 'namespace',
  unknownAttribute: 'unknown-attribute',
  requiredAttribute: 'required-attribute',
  emptyValue: 'empty-value',
  unexpectedContent: 'unexpected-content',
  requestTypeUnchecked: 'request-type-unchecked',
  // SecurityQuestions
  detailsCount: 'details-count',
  questionFormat: 'question-format',
  questionUnknown: 'question-unknown',
  questionDuplicate: 'question-duplicate',
  answerTooLong: 'answer-too-long',
  answerBytes: 'answer-bytes',
  answerDuplicate: 'answer-duplicate',
  answerSimilar: 'answer-similar',
  answerConstraint: 'answer-constraint',
  inputLanguage: 'input-language',
  duplicateUser: 'duplicate-user',
  // Results that IBKR (or the emulator) returned for a submitted file
  submitError: 'submit-error',
  // Set by the server instead of any rule when a file is over ibkr.validate.maxFileSize
  checkSkipped: 'check-skipped',
  // Set by the server after the listed problems when a file has more than ibkr.validate.maxProblems
  problemsLimit: 'problems-limit',
  // Found by the extension from git, not by checking the text
  answersInGit: 'answers-in-git',
} as const;

export type DiagnosticCode = (typeof DiagnosticCodes)[keyof typeof DiagnosticCodes];

export interface CodeInfo {
  severity: Severity;
  summary: string;
}

export const CODE_INFO: Record<DiagnosticCode, CodeInfo> = {
  'xml-wellformed': { severity: 'error', summary: 'The text is not well-formed XML.' },
  'doctype-not-allowed': { severity: 'error', summary: 'A DOCTYPE is present; request files have none, and entities are never expanded or fetched.' },
  'entity-undefined': { severity: 'error', summary: 'An entity reference other than the five predefined ones and character references.' },
  'encoding-declaration': { severity: 'warning', summary: 'Non-ASCII text without an XML declaration naming UTF-8; IBKR then assumes ASCII.' },
  'root-element': { severity: 'error', summary: 'The root element is not AcctMgmtRequests.' },
  namespace: { severity: 'error', summary: 'An element of the request is not in the IBCust_import namespace.' },
  'unknown-attribute': { severity: 'error', summary: 'An attribute that the request type does not define.' },
  'required-attribute': { severity: 'error', summary: 'reference_user_name, question or answer is missing.' },
  'empty-value': { severity: 'error', summary: 'A required attribute is empty or only white space.' },
  'unexpected-content': { severity: 'error', summary: 'Text, CDATA or elements where the request allows none.' },
  'request-type-unchecked': { severity: 'information', summary: 'Another request type inside AcctMgmtRequests, which this version does not check.' },
  'details-count': { severity: 'error', summary: 'A SecurityQuestions element without exactly 3 Details.' },
  'question-format': { severity: 'error', summary: 'A question id that is not a decimal integer.' },
  'question-unknown': { severity: 'error', summary: 'A question id that is not in the loaded question list.' },
  'question-duplicate': { severity: 'error', summary: 'The same question id twice in one SecurityQuestions.' },
  'answer-too-long': { severity: 'error', summary: 'An answer over 256 characters (Unicode code points after XML decoding).' },
  'answer-bytes': { severity: 'warning', summary: 'An answer of at most 256 characters but over 256 UTF-8 bytes.' },
  'answer-duplicate': { severity: 'error', summary: 'Two answers equal after XML decoding in one SecurityQuestions.' },
  'answer-similar': { severity: 'warning', summary: 'Two answers equal after trimming, collapsing white space and case folding.' },
  'answer-constraint': { severity: 'error', summary: "An answer that breaks its question's rules from the question list." },
  'input-language': { severity: 'error', summary: 'input_language is not language[-Script]; a warning when well-formed but not in the known list.' },
  'duplicate-user': { severity: 'error', summary: 'A second SecurityQuestions for the same reference_user_name in one file.' },
  'submit-error': { severity: 'error', summary: 'An error that IBKR returned for this request when it was submitted.' },
  'check-skipped': { severity: 'information', summary: 'The file is larger than ibkr.validate.maxFileSize, so no rule ran.' },
  'problems-limit': { severity: 'information', summary: 'The file has more problems than ibkr.validate.maxProblems; this note says how many are not listed.' },
  'answers-in-git': { severity: 'warning', summary: 'A file with answers that git tracks, or that is in a git work tree and not ignored.' },
};

export const ALL_CODES = Object.keys(CODE_INFO) as DiagnosticCode[];
