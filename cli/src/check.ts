/** `ibkr-am check FILES...`: the language server's checks on request files, for scripts and CI. */

import type { CommandSpec, ParsedArgs } from './args';
import { checkFile, loadQuestionList, type FileCheckResult } from './checkFiles';
import { formatJsonReport, formatTextReport } from './checkReport';
import { CliError, ExitCode, type ExitCodeValue } from './errors';
import { printVerbose, writeError, writeOut } from './output';
import { formatSarifReport } from './sarif';

export const CHECK_COMMAND: CommandSpec = {
  name: 'check',
  summary: 'Check request files with the same rules as the editor',
  description: 'Every file is treated as a request file, whatever its root element.',
  positionalUsage: 'FILE...',
  minPositionals: 1,
  maxPositionals: Infinity,
  options: {
    questions: {
      type: 'string',
      valueName: 'FILE',
      description: 'Question list (JSON array or CSV with a header row) to check question ids and answer rules against.',
    },
    format: { type: 'string', valueName: 'FORMAT', choices: ['text', 'json', 'sarif'], description: 'Report format (default text).' },
  },
  notes: [
    'Exit codes: 0 no Error diagnostics (warnings allowed), 1 at least one Error,',
    '4 usage error, unreadable file or invalid question list.',
  ].join('\n'),
};

export function runCheck(args: ParsedArgs): Promise<ExitCodeValue> {
  const format = args.choice<'text' | 'json' | 'sarif'>('format', 'text');
  const questionsFile = args.string('questions');
  const catalog = questionsFile !== undefined ? loadQuestionList(questionsFile) : undefined;
  if (catalog !== undefined) {
    printVerbose(`loaded ${catalog.questions.size} questions from ${questionsFile}`);
  }

  const results: FileCheckResult[] = [];
  let unreadable = 0;
  for (const file of args.positionals) {
    const started = performance.now();
    try {
      results.push(checkFile(file, catalog));
    } catch (error) {
      if (!(error instanceof CliError)) {
        throw error;
      }
      unreadable += 1;
      writeError(`ibkr-am check: ${error.message}\n`);
      continue;
    }
    printVerbose(`checked ${file} in ${Math.round(performance.now() - started)} ms`);
  }

  switch (format) {
    case 'json':
      writeOut(formatJsonReport(results));
      break;
    case 'sarif':
      writeOut(formatSarifReport(results));
      break;
    default:
      writeOut(formatTextReport(results));
  }

  if (unreadable > 0) {
    return Promise.resolve(ExitCode.failure);
  }
  return Promise.resolve(results.some((result) => result.hasErrors) ? ExitCode.checkErrors : ExitCode.ok);
}
