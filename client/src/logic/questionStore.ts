/**
 * The security question lists fetched with `getEnumerations`, one JSON file per environment in
 * the extension's global storage folder, so that a list survives a restart of VS Code and each
 * environment keeps its own.
 */

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentName, QuestionListEntry } from '../../../server/src/protocol';

export interface StoredQuestionList {
  environment: EnvironmentName;
  /** The base URL the list was fetched from; a list for `custom` applies only while the URL is the same. */
  baseUrl: string;
  /** ISO 8601 time of the fetch. */
  fetchedAt: string;
  questions: QuestionListEntry[];
}

export function questionListPath(storageDir: string, environment: EnvironmentName): string {
  return path.join(storageDir, `question-list-${environment}.json`);
}

/** Writes the list through a temporary file and a rename, so a crash never leaves half a file. */
export async function writeQuestionList(storageDir: string, list: StoredQuestionList): Promise<void> {
  await fs.mkdir(storageDir, { recursive: true });
  const target = questionListPath(storageDir, list.environment);
  const temporary = `${target}.${process.pid}.tmp`;
  await fs.writeFile(temporary, JSON.stringify(list, null, 2) + '\n', 'utf8');
  await fs.rename(temporary, target);
}

export type ReadResult = { list: StoredQuestionList | undefined } | { error: string };

/** Reads the stored list of an environment; `list` is undefined when none was stored. */
export async function readQuestionList(storageDir: string, environment: EnvironmentName): Promise<ReadResult> {
  const file = questionListPath(storageDir, environment);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { list: undefined };
    }
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { error: `The stored question list ${file} is not valid JSON (${(error as Error).message}). Run "IBKR: Refresh Security Question List" to fetch it again.` };
  }
  const problem = findShapeProblem(data, environment);
  if (problem !== undefined) {
    return { error: `The stored question list ${file} is invalid: ${problem}. Run "IBKR: Refresh Security Question List" to fetch it again.` };
  }
  return { list: data as StoredQuestionList };
}

function findShapeProblem(data: unknown, environment: EnvironmentName): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return 'expected a JSON object';
  }
  const record = data as Record<string, unknown>;
  if (record.environment !== environment) {
    return `environment is ${JSON.stringify(record.environment)}, expected "${environment}"`;
  }
  if (typeof record.baseUrl !== 'string' || typeof record.fetchedAt !== 'string') {
    return 'baseUrl or fetchedAt is missing';
  }
  if (!Array.isArray(record.questions)) {
    return 'questions is not an array';
  }
  for (const [index, entry] of record.questions.entries()) {
    const question = entry as Record<string, unknown> | null;
    if (typeof question !== 'object' || question === null || typeof question.id !== 'string' || typeof question.question !== 'string') {
      return `question ${index + 1} has no string id and question`;
    }
  }
  return undefined;
}
