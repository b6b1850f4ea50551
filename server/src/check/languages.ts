/**
 * Values of the optional `input_language` attribute of a SecurityQuestions request. IBKR
 * documents the format `language[-Script]` (ISO 639 language, ISO 15924 script), compared
 * case-insensitively, with `en` as the default.
 */

/**
 * Languages that IBKR's newer Web API accepts for security question answers. IBKR does not
 * publish which of them the legacy ECA XML interface accepts, so a value outside this list
 * is only a warning.
 */
export const KNOWN_INPUT_LANGUAGES: readonly string[] = [
  'en',
  'zh-Hans',
  'ja',
  'ru',
  'fr',
  'pt',
  'es',
  'it',
  'ar-AE',
  'de',
  'he-IL',
  'hu',
];

/** `KNOWN_INPUT_LANGUAGES` for messages, e.g. "en, zh-Hans, ja". */
export const KNOWN_INPUT_LANGUAGE_LIST = KNOWN_INPUT_LANGUAGES.join(', ');

/** The entries of `KNOWN_INPUT_LANGUAGES` by their lower-case form. When two entries share one, the first is kept. */
const KNOWN_BY_LOWER_CASE = new Map<string, string>();
for (const language of KNOWN_INPUT_LANGUAGES) {
  const lower = language.toLowerCase();
  if (!KNOWN_BY_LOWER_CASE.has(lower)) {
    KNOWN_BY_LOWER_CASE.set(lower, language);
  }
}

/**
 * ISO 639 language (two or three letters), then an optional ISO 15924 script (four letters)
 * or a two-letter region. IBKR's format is `language[-Script]`, but its own Web API list
 * contains `ar-AE` and `he-IL`, so a region subtag is accepted as well.
 */
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-(?:[a-z]{4}|[a-z]{2}))?$/i;

export function isWellFormedInputLanguage(value: string): boolean {
  return LANGUAGE_TAG.test(value);
}

/** Returns the entry of `KNOWN_INPUT_LANGUAGES` that matches `value` ignoring case, if any. */
export function findKnownInputLanguage(value: string): string | undefined {
  return KNOWN_BY_LOWER_CASE.get(value.toLowerCase());
}

const KNOWN_AS_WRITTEN: ReadonlySet<string> = new Set(KNOWN_INPUT_LANGUAGES);

/**
 * True when `value` is an entry of `KNOWN_INPUT_LANGUAGES` in the same case. Every entry is
 * well-formed and known, so a rule can accept the usual values without the regular expression.
 */
export function isKnownInputLanguageAsWritten(value: string): boolean {
  return KNOWN_AS_WRITTEN.has(value);
}
