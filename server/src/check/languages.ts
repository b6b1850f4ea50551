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
  const lower = value.toLowerCase();
  return KNOWN_INPUT_LANGUAGES.find((language) => language.toLowerCase() === lower);
}
