/**
 * Contracts shared by the extension, the language server and the CLI: the settings shape and
 * the custom LSP messages. Declared once here and imported by both sides.
 */

/** Settings under the `ibkr` section, as the server reads them through `workspace/configuration`. */
export interface ServerSettings {
  /** Glob patterns of files that are request files whatever their root element. */
  requestFiles: string[];
  /**
   * `maxFileSize`: size in MB (2^20 UTF-16 code units, which is 1 MiB for ASCII text) above
   * which a document gets no rule checks, only one information diagnostic saying so.
   * `maxProblems`: the most diagnostics published for a document, the note on the hidden ones included.
   */
  validate: { run: 'onType' | 'onSave'; maxFileSize: number; maxProblems: number };
  securityQuestions: { catalogFile: string };
  /** `maxItemsComputed`: the maximum number of outline symbols computed for a document, requests and Details counted alike. */
  symbols: { maxItemsComputed: number };
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  requestFiles: ['**/*.ibkr.xml'],
  validate: { run: 'onType', maxFileSize: 64, maxProblems: 1000 },
  securityQuestions: { catalogFile: '' },
  symbols: { maxItemsComputed: 5000 },
};

export type EnvironmentName = 'local' | 'qa' | 'production' | 'custom';

/** A question as it travels over LSP (plain JSON). */
export interface QuestionListEntry {
  id: string;
  question: string;
  canBeNumber?: boolean;
  minAnswerLength?: number;
  maxRepeatableCharsCount?: number;
}

/**
 * Client to server: a question list fetched with `getEnumerations`. It takes the place of the
 * catalog file for as long as it is set; `questions: null` clears it.
 */
export const SetQuestionListNotification = 'ibkr/setQuestionList';
export interface SetQuestionListParams {
  origin: string;
  questions: QuestionListEntry[] | null;
}

/** Client to server: what a request file would submit, without any answer text. */
export const RequestSummaryRequest = 'ibkr/requestSummary';
export interface RequestSummaryParams {
  uri: string;
}
export interface RequestSummaryEntry {
  requestType: string;
  userName: string | undefined;
  questionIds: string[];
  /** Zero-based line of the request's start tag. */
  line: number;
}
export interface RequestSummaryResult {
  isRequestFile: boolean;
  requests: RequestSummaryEntry[];
  errorCount: number;
}
