import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, DiagnosticCodes } from '../../server/src/check/codes';
import type { RequestResult } from '../../eca/src/index';
import { matchResponseRequests } from './logic/requestEdits';

/**
 * `ERROR` results of a submission shown on the request's start tag. They are kept apart from the
 * server's diagnostics and cleared at the first edit, since they describe the text as it was sent.
 */
export class SubmitDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('ibkr-submit');
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length > 0 && this.collection.has(event.document.uri)) {
        this.collection.delete(event.document.uri);
      }
    });
  }

  clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  /** Sets one diagnostic per error of each `ERROR` request, on the matching request of the file. */
  show(document: vscode.TextDocument, results: readonly RequestResult[]): void {
    const text = document.getText();
    const matches = matchResponseRequests(
      text,
      results.map((result) => ({
        requestType: result.requestType,
        userName: result.reference?.attribute === 'reference_user_name' ? result.reference.value : undefined,
      })),
    );
    const diagnostics: vscode.Diagnostic[] = [];
    results.forEach((result, index) => {
      if (result.outcome !== 'error') {
        return;
      }
      const request = matches[index];
      const range =
        request === undefined
          ? new vscode.Range(0, 0, 0, 0)
          : new vscode.Range(document.positionAt(request.element.startTagSpan.start), document.positionAt(request.element.startTagSpan.end));
      const reasons = result.errors.length > 0 ? result.errors : [result.message ?? 'IBKR returned ERROR without a message.'];
      for (const reason of reasons) {
        const id = result.requestId === null ? '' : ` (request ${result.requestId})`;
        const diagnostic = new vscode.Diagnostic(range, `IBKR returned ERROR${id}: ${reason}`, vscode.DiagnosticSeverity.Error);
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = DiagnosticCodes.submitError;
        diagnostics.push(diagnostic);
      }
    });
    this.collection.set(document.uri, diagnostics);
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}
