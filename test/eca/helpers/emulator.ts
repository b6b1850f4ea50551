/**
 * Shared set-up of the ECA tests: a temp state folder, an emulator on 127.0.0.1 with any free
 * port, the test firm's credentials, a client, a logger that keeps every line, and request files.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  createEcaClient,
  loadCredentials,
  loadLocalCredentials,
  startEmulator,
  type EcaClient,
  type EcaClientOptions,
  type EcaCredentials,
  type EmulatorHandle,
  type EmulatorOptions,
  type LocalCredentials,
  type Logger,
} from '../../../eca/src/index';

export interface CapturingLogger extends Logger {
  lines: string[];
}

/** Creates a logger that keeps every line with its level, for assertions on what was logged. */
export function capturingLogger(): CapturingLogger {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
    debug: (message) => lines.push(`debug ${message}`),
  };
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `ibkr-am-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface TestEmulator {
  emulator: EmulatorHandle;
  stateDir: string;
  local: LocalCredentials;
  credentials: EcaCredentials;
  logger: CapturingLogger;
  /** A client of the `local` environment pointed at this emulator. */
  client(options?: Partial<EcaClientOptions>): EcaClient;
  close(): Promise<void>;
}

/** Starts an emulator on a new temp state folder (or `stateDir`) and loads the test firm's credentials. */
export async function startTestEmulator(options: EmulatorOptions & { keepStateDir?: boolean } = {}): Promise<TestEmulator> {
  const stateDir = options.stateDir ?? (await makeTempDir('emulator'));
  const logger = capturingLogger();
  const emulator = await startEmulator({ logger, ...options, stateDir, port: options.port ?? 0 });
  const local = await loadLocalCredentials(stateDir);
  const credentials = await loadCredentials(local);
  return {
    emulator,
    stateDir,
    local,
    credentials,
    logger,
    client: (clientOptions) => createEcaClient({ environment: 'local', baseUrl: emulator.url, credentials, logger, ...clientOptions }),
    close: async () => {
      await emulator.close();
      if (options.keepStateDir !== true) await removeDir(stateDir);
    },
  };
}

export interface DetailSpec {
  question: string;
  answer: string;
}

/** Writes a SecurityQuestions request file; `details` default to IBKR's sample questions. */
export function securityQuestionsXml(userName: string, details?: readonly DetailSpec[], options: { inputLanguage?: string } = {}): string {
  const chosen = details ?? SAMPLE_DETAILS;
  const language = options.inputLanguage === undefined ? '' : ` input_language="${options.inputLanguage}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    '<AcctMgmtRequests xmlns="http://www.interactivebrokers.com/schemas/IBCust_import">',
    securityQuestionsElement(userName, chosen, language),
    '</AcctMgmtRequests>',
    '',
  ].join('\n');
}

export function securityQuestionsElement(userName: string, details: readonly DetailSpec[], attributes = ''): string {
  return [
    `<SecurityQuestions reference_user_name="${userName}"${attributes}>`,
    ...details.map((detail) => `<Details question="${detail.question}" answer="${detail.answer}" />`),
    '</SecurityQuestions>',
  ].join('\n');
}

/** The questions and answers of IBKR's request sample. */
export const SAMPLE_DETAILS: readonly DetailSpec[] = [
  { question: '9161083', answer: 'answer1' },
  { question: '6688721', answer: 'demo2' },
  { question: '9161123', answer: 'text3' },
];

/** IBKR's request sample, byte for byte apart from the line breaks. */
export const IBKR_SAMPLE_REQUEST = securityQuestionsXml('tester1234', SAMPLE_DETAILS, { inputLanguage: 'zh-Hans' });

export function fileOf(name: string, xml: string): { name: string; data: Uint8Array } {
  return { name, data: new Uint8Array(Buffer.from(xml, 'utf8')) };
}
