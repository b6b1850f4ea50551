import * as vscode from 'vscode';

export const RESULT_SCHEME = 'ibkr-result';
export const RESPONSE_XML_SCHEME = 'ibkr-response-xml';
const HAS_RESPONSE_CONTEXT = 'ibkr.hasResponse';
/** Results kept in memory for the open views; older ones show a note instead. */
const MAX_RESULTS = 50;

interface StoredResult {
  text: string;
  /** The decrypted response XML, or undefined when none was received. */
  xml: string | undefined;
  xmlName: string;
}

/**
 * Read-only virtual documents: `ibkr-result:` shows a parsed response, and
 * `ibkr-response-xml:` its raw decrypted XML. A CodeLens on the first line of a result and a
 * button in the editor title open the XML.
 */
export class ResultViews implements vscode.TextDocumentContentProvider, vscode.CodeLensProvider, vscode.Disposable {
  private readonly results = new Map<string, StoredResult>();
  private counter = 0;
  private lastKey: string | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.subscriptions.push(
      vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, this),
      vscode.workspace.registerTextDocumentContentProvider(RESPONSE_XML_SCHEME, this),
      vscode.languages.registerCodeLensProvider({ scheme: RESULT_SCHEME }, this),
    );
  }

  /**
   * Opens a result beside the active editor. `title` becomes the tab title; it must not end in a
   * file extension, so that the view opens as plain text.
   */
  async show(title: string, text: string, xml: string | undefined, xmlName: string): Promise<vscode.TextEditor> {
    this.counter += 1;
    const key = String(this.counter);
    this.results.set(key, { text, xml, xmlName });
    this.lastKey = key;
    this.forgetOldResults();
    await vscode.commands.executeCommand('setContext', HAS_RESPONSE_CONTEXT, true);

    const uri = vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${key}/${sanitize(title)}` });
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: false, preserveFocus: false });
  }

  /** Opens the raw XML of the given result view, of the active one, or of the latest result. */
  async showRawXml(resultUri?: vscode.Uri): Promise<void> {
    const key = this.keyOf(resultUri) ?? this.keyOf(vscode.window.activeTextEditor?.document.uri) ?? this.lastKey;
    const result = key === undefined ? undefined : this.results.get(key);
    if (key === undefined || result === undefined) {
      void vscode.window.showInformationMessage('No IBKR response to show yet. Submit a request file or check a request status first.');
      return;
    }
    if (result.xml === undefined) {
      void vscode.window.showInformationMessage('This result has no response XML: no decrypted response was received.');
      return;
    }
    const uri = vscode.Uri.from({ scheme: RESPONSE_XML_SCHEME, path: `/${key}/${sanitize(result.xmlName)}.xml` });
    const document = await vscode.workspace.openTextDocument(uri);
    // In the group of the result view when that is active, so the two sit side by side as tabs.
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Active, preview: false });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const key = this.keyOf(uri);
    const result = key === undefined ? undefined : this.results.get(key);
    if (result === undefined) {
      return 'This IBKR result is no longer in memory. Submit the file or check the request status again.\n';
    }
    if (uri.scheme === RESPONSE_XML_SCHEME) {
      return result.xml ?? '';
    }
    return result.text;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const key = this.keyOf(document.uri);
    if (key === undefined || this.results.get(key)?.xml === undefined) {
      return [];
    }
    const command: vscode.Command = { title: 'Show Raw Response XML', command: 'ibkr.showRawResponse', arguments: [document.uri] };
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), command)];
  }

  private keyOf(uri: vscode.Uri | undefined): string | undefined {
    if (uri === undefined || (uri.scheme !== RESULT_SCHEME && uri.scheme !== RESPONSE_XML_SCHEME)) {
      return undefined;
    }
    return uri.path.split('/')[1];
  }

  private forgetOldResults(): void {
    for (const key of this.results.keys()) {
      if (this.results.size <= MAX_RESULTS) {
        break;
      }
      this.results.delete(key);
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
  }
}

/** Keeps a title usable as a path segment. */
function sanitize(title: string): string {
  return title.replace(/[/\\]/g, '-');
}
