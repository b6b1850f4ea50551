/**
 * The SARIF 2.1.0 report of `ibkr-am check`, for code-scanning services. Regions are 1-based
 * with exclusive end columns counted in UTF-16 code units (`columnKind: "utf16CodeUnits"`), and
 * artifact URIs are relative to the cwd through the `%SRCROOT%` base id.
 */

import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Diagnostic, Range } from 'vscode-languageserver';
import { ALL_CODES, CODE_INFO, DIAGNOSTIC_SOURCE, type Severity } from '../../server/src/check/codes';
import type { FileCheckResult } from './checkFiles';
import { VERSION } from './version';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVELS: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

const SOURCE_ROOT = '%SRCROOT%';

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

function artifactLocation(uri: string): ArtifactLocation {
  if (!uri.startsWith('file:')) {
    return { uri };
  }
  const relative = path.relative(process.cwd(), fileURLToPath(uri));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    return { uri };
  }
  const encoded = relative.split(path.sep).map(encodeURIComponent).join('/');
  return { uri: encoded, uriBaseId: SOURCE_ROOT };
}

function region(range: Range): Record<string, number> {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

function sarifLevel(diagnostic: Diagnostic): SarifLevel {
  switch (diagnostic.severity) {
    case 2:
      return 'warning';
    case 3:
    case 4:
      return 'note';
    default:
      return 'error';
  }
}

/** Formats the SARIF 2.1.0 log: one run, a rule per diagnostic code, a result per diagnostic. */
export function formatSarifReport(results: readonly FileCheckResult[]): string {
  const ruleIndex = new Map(ALL_CODES.map((code, index) => [code as string, index]));
  const rules = ALL_CODES.map((code) => ({
    id: code,
    shortDescription: { text: CODE_INFO[code].summary },
    defaultConfiguration: { level: LEVELS[CODE_INFO[code].severity] },
  }));

  const sarifResults = results.flatMap((result) =>
    result.diagnostics.map((diagnostic) => {
      const ruleId = String(diagnostic.code ?? '');
      const index = ruleIndex.get(ruleId);
      return {
        ruleId,
        ...(index !== undefined ? { ruleIndex: index } : {}),
        level: sarifLevel(diagnostic),
        message: { text: diagnostic.message },
        locations: [{ physicalLocation: { artifactLocation: artifactLocation(result.uri), region: region(diagnostic.range) } }],
        relatedLocations: (diagnostic.relatedInformation ?? []).map((related, id) => ({
          id,
          message: { text: related.message },
          physicalLocation: { artifactLocation: artifactLocation(related.location.uri), region: region(related.location.range) },
        })),
      };
    }),
  );

  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ibkr-am',
            fullName: `ibkr-am check (diagnostic source "${DIAGNOSTIC_SOURCE}")`,
            version: VERSION,
            rules,
          },
        },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: `${pathToFileURL(process.cwd()).href.replace(/\/?$/, '/')}` } },
        artifacts: results.map((result) => ({ location: artifactLocation(result.uri) })),
        columnKind: 'utf16CodeUnits',
        results: sarifResults,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
