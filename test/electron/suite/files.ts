/** Workspace files of the Electron scenarios, shared with the runner (which must not import `vscode`). */

/** An empty file that the runner creates and the snippet scenario fills. */
export const NEW_FILE = 'new-request.ibkr.xml';
export const MISTAKES = 'mistakes.ibkr.xml';
export const VALID = 'security-questions.ibkr.xml';
