/**
 * Scheduling of checks and diagnostics publishing. Each publish carries the version it was
 * computed for, and a result is dropped when the document changed in the meantime, so no
 * publish carries diagnostics of an outdated version. With `validate.run` set to `onSave`,
 * the diagnostics of the last save stay until the next save.
 */

import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';

import { toLspDiagnostic } from '../check/diagnostics';
import type { Analysis } from '../documents';
import type { ServerSettings } from '../protocol';

/** Typing produces a change per key press; checking waits for this pause so a burst is checked once. */
export const TYPING_DELAY_MS = 150;

export interface ValidationHost {
  getDocument(uri: string): TextDocument | undefined;
  allDocuments(): TextDocument[];
  settingsFor(uri: string): Promise<ServerSettings>;
  analyze(document: TextDocument): Promise<Analysis>;
  publish(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void;
  logError(action: string, uri: string, error: unknown): void;
}

export function diagnosticsOf(analysis: Analysis): Diagnostic[] {
  if (!analysis.result.applies) return [];
  return analysis.result.problems.map((problem) => toLspDiagnostic(problem, analysis.document, analysis.document.uri));
}

export class Validator {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Number of the latest validation started per document; an older run that finishes later is dropped. */
  private readonly runs = new Map<string, number>();
  private readonly startedVersions = new Map<string, number>();

  constructor(private readonly host: ValidationHost) {}

  opened(document: TextDocument): void {
    this.validateNow(document.uri);
  }

  changed(document: TextDocument): void {
    // The change event that follows every open repeats the version that opening already checks.
    if (this.startedVersions.get(document.uri) === document.version) return;
    this.host
      .settingsFor(document.uri)
      .then((settings) => {
        if (settings.validate.run === 'onType') this.schedule(document.uri, TYPING_DELAY_MS);
      })
      .catch((error: unknown) => this.host.logError('Reading settings', document.uri, error));
  }

  saved(document: TextDocument): void {
    this.host
      .settingsFor(document.uri)
      .then((settings) => {
        if (settings.validate.run === 'onSave') this.validateNow(document.uri);
      })
      .catch((error: unknown) => this.host.logError('Reading settings', document.uri, error));
  }

  closed(uri: string): void {
    this.cancel(uri);
    this.startedVersions.delete(uri);
    this.runs.set(uri, (this.runs.get(uri) ?? 0) + 1);
    this.host.publish(uri, undefined, []);
  }

  /** Checks every open document now, e.g. after the settings or the question list changed. */
  validateAll(): void {
    for (const document of this.host.allDocuments()) this.validateNow(document.uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(uri: string, delayMs: number): void {
    this.cancel(uri);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.validateNow(uri);
      }, delayMs),
    );
  }

  private cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(uri);
  }

  private validateNow(uri: string): void {
    this.cancel(uri);
    const run = (this.runs.get(uri) ?? 0) + 1;
    this.runs.set(uri, run);
    const version = this.host.getDocument(uri)?.version;
    if (version !== undefined) this.startedVersions.set(uri, version);
    this.validate(uri, run).catch((error: unknown) => this.host.logError('Checking', uri, error));
  }

  private async validate(uri: string, run: number): Promise<void> {
    const document = this.host.getDocument(uri);
    if (document === undefined) return;
    const analysis = await this.host.analyze(document);

    // A change, a close or a newer run since this one started makes its result outdated.
    const current = this.host.getDocument(uri);
    if (this.runs.get(uri) !== run || current === undefined || current.version !== analysis.document.version) return;
    this.host.publish(uri, analysis.document.version, diagnosticsOf(analysis));
  }
}
