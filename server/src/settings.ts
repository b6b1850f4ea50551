/**
 * The `ibkr` settings as the server uses them: read per document through
 * `workspace/configuration`, checked, completed with defaults and cached until the client
 * reports a configuration change.
 */

import { DEFAULT_SERVER_SETTINGS, type ServerSettings } from './protocol';

export const SETTINGS_SECTION = 'ibkr';

/** The subset of `connection.console` that settings and question lists log through. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const VALIDATE_RUN_VALUES: readonly ServerSettings['validate']['run'][] = ['onType', 'onSave'];

/**
 * Builds complete settings from whatever the client returned for the `ibkr` section. Each
 * missing value takes its default. Each invalid value also takes its default, and `report`
 * receives a message that names the setting, the value and the default used.
 */
export function normalizeSettings(raw: unknown, report: (message: string) => void): ServerSettings {
  const section = isRecord(raw) ? raw : {};
  return {
    requestFiles: readRequestFiles(section['requestFiles'], report),
    validate: {
      run: readValidateRun(readNested(section, 'validate', 'run'), report),
      maxFileSize: readMaxFileSize(readNested(section, 'validate', 'maxFileSize'), report),
      maxProblems: readWholeNumber(readNested(section, 'validate', 'maxProblems'), 'validate.maxProblems', 'problems', 1, DEFAULT_SERVER_SETTINGS.validate.maxProblems, report),
    },
    securityQuestions: { catalogFile: readCatalogFile(readNested(section, 'securityQuestions', 'catalogFile'), report) },
    symbols: {
      maxItemsComputed: readWholeNumber(readNested(section, 'symbols', 'maxItemsComputed'), 'symbols.maxItemsComputed', 'symbols', 0, DEFAULT_SERVER_SETTINGS.symbols.maxItemsComputed, report),
    },
  };
}

/**
 * Reads `ibkr.requestFiles`. Invalid entries are dropped and named in one warning; when every
 * entry is invalid, the default applies, so that a typo does not turn glob matching off.
 */
function readRequestFiles(value: unknown, report: (message: string) => void): string[] {
  const fallback = [...DEFAULT_SERVER_SETTINGS.requestFiles];
  if (value === undefined || value === null) return fallback;
  if (!Array.isArray(value)) {
    report(`Invalid setting ibkr.requestFiles: expected an array of glob patterns, got ${describe(value)}. Using the default ${JSON.stringify(fallback)}.`);
    return fallback;
  }
  const patterns: string[] = [];
  const invalid: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string' || item.trim() === '') {
      invalid.push(`${describe(item)} (not a non-empty glob pattern)`);
      continue;
    }
    const syntaxError = globSyntaxError(item.trim());
    if (syntaxError === undefined) patterns.push(item.trim());
    else invalid.push(`${describe(item)} (${syntaxError})`);
  }
  if (invalid.length === 0) return patterns;
  const result = patterns.length > 0 ? patterns : fallback;
  const using = patterns.length > 0 ? `the remaining ${patterns.length === 1 ? 'pattern' : 'patterns'} ${JSON.stringify(patterns)}` : `the default ${JSON.stringify(fallback)}`;
  report(`Invalid ${invalid.length === 1 ? 'entry' : 'entries'} in ibkr.requestFiles, ignored: ${invalid.join(', ')}. Using ${using}.`);
  return result;
}

/**
 * Returns why a glob pattern is malformed, or `undefined`. minimatch accepts an unclosed `[`
 * or `{` and matches it as a literal character, which is never what the user meant.
 */
function globSyntaxError(pattern: string): string | undefined {
  let braces = 0;
  let classStart = -1;
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern[index];
    if (character === '\\') {
      index += 1;
    } else if (classStart !== -1) {
      // A `]` first in a class (after an optional `!` or `^`) is a literal member.
      const first = pattern[classStart + 1] === '!' || pattern[classStart + 1] === '^' ? classStart + 2 : classStart + 1;
      if (character === ']' && index > first) classStart = -1;
    } else if (character === '[') {
      classStart = index;
    } else if (character === '{') {
      braces += 1;
    } else if (character === '}') {
      if (braces === 0) return 'a "}" without "{"';
      braces -= 1;
    }
  }
  if (classStart !== -1) return 'a "[" without "]"';
  if (braces > 0) return 'a "{" without "}"';
  return undefined;
}

function readValidateRun(value: unknown, report: (message: string) => void): ServerSettings['validate']['run'] {
  const fallback = DEFAULT_SERVER_SETTINGS.validate.run;
  if (value === undefined || value === null) return fallback;
  const match = VALIDATE_RUN_VALUES.find((candidate) => candidate === value);
  if (match === undefined) {
    report(`Invalid setting ibkr.validate.run: expected "onType" or "onSave", got ${describe(value)}. Using "${fallback}".`);
    return fallback;
  }
  return match;
}

function readMaxFileSize(value: unknown, report: (message: string) => void): number {
  const fallback = DEFAULT_SERVER_SETTINGS.validate.maxFileSize;
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    report(`Invalid setting ibkr.validate.maxFileSize: expected a size in MB greater than 0, got ${describe(value)}. Using ${fallback}.`);
    return fallback;
  }
  return value;
}

/** Reads the setting `ibkr.<name>`, a whole number of `unit` from `minimum` up. */
function readWholeNumber(value: unknown, name: string, unit: string, minimum: number, fallback: number, report: (message: string) => void): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    report(`Invalid setting ibkr.${name}: expected a whole number of ${unit}, ${minimum} or more, got ${describe(value)}. Using ${fallback}.`);
    return fallback;
  }
  return value;
}

function readCatalogFile(value: unknown, report: (message: string) => void): string {
  const fallback = DEFAULT_SERVER_SETTINGS.securityQuestions.catalogFile;
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') {
    report(`Invalid setting ibkr.securityQuestions.catalogFile: expected a file path, got ${describe(value)}. No question list file is read.`);
    return fallback;
  }
  return value.trim();
}

/**
 * Reads `section.group.key`, also accepting the flat form `section["group.key"]` that a client
 * sends when it passes dotted keys through unchanged.
 */
function readNested(section: Record<string, unknown>, group: string, key: string): unknown {
  const nested = section[group];
  if (isRecord(nested) && key in nested) return nested[key];
  return section[`${group}.${key}`];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  const json = JSON.stringify(value);
  const text = json === undefined ? String(value) : json;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Fetches the `ibkr` section for one scope URI; resolves to `undefined` when the client has none. */
export type ConfigurationFetcher = (scopeUri: string) => Promise<unknown>;

/**
 * Settings per document URI. With a client that supports `workspace/configuration` each URI
 * is fetched once and cached until `clear`. Without it, every document gets the settings last
 * sent in `workspace/didChangeConfiguration`.
 */
export class SettingsStore {
  private readonly cache = new Map<string, Promise<ServerSettings>>();
  private globalSettings: ServerSettings = cloneDefaults();
  /** Messages already logged since the last change, so one bad value is reported once, not per document. */
  private readonly reported = new Set<string>();

  constructor(
    private readonly logger: Logger,
    private readonly fetchConfiguration: ConfigurationFetcher | undefined,
  ) {}

  get(uri: string): Promise<ServerSettings> {
    if (this.fetchConfiguration === undefined) return Promise.resolve(this.globalSettings);
    let settings = this.cache.get(uri);
    if (settings === undefined) {
      settings = this.fetch(uri, this.fetchConfiguration);
      this.cache.set(uri, settings);
    }
    return settings;
  }

  /** Drops every cached value, so the next `get` fetches the settings again. */
  clear(): void {
    this.cache.clear();
    this.reported.clear();
  }

  /**
   * Takes the `settings` field of `workspace/didChangeConfiguration` as the settings of every
   * document, for a client without `workspace/configuration`. Other clients usually send
   * `null` there, and it is ignored.
   */
  setPushedSettings(pushedSettings: unknown): void {
    if (this.fetchConfiguration !== undefined) return;
    const section = isRecord(pushedSettings) ? pushedSettings[SETTINGS_SECTION] : undefined;
    this.globalSettings = normalizeSettings(section, (message) => this.report(message));
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  private async fetch(uri: string, fetchConfiguration: ConfigurationFetcher): Promise<ServerSettings> {
    let raw: unknown;
    try {
      raw = await fetchConfiguration(uri);
    } catch (error) {
      this.report(`Reading the ibkr settings failed (${errorMessage(error)}). Using the defaults.`);
      return cloneDefaults();
    }
    return normalizeSettings(raw, (message) => this.report(message));
  }

  private report(message: string): void {
    if (this.reported.has(message)) return;
    this.reported.add(message);
    this.logger.warn(message);
  }
}

function cloneDefaults(): ServerSettings {
  return normalizeSettings(undefined, () => undefined);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
