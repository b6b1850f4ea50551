/**
 * Mutations of request files for fuzzing: each one models a way a request file reaches the
 * server broken, half-typed or hostile. `fuzzInput` combines a seed document with a few
 * mutations and records the offsets where they applied, so the features get called there.
 */

import fc from 'fast-check';

/** Markup that a mutation inserts: tag pieces, quotes, references, sections and hostile declarations. */
export const MARKUP_FRAGMENTS = [
  '<', '>', '/>', '</', '"', "'", '=', ' ', '\t', '&', ';', '&amp;', '&lt;', '&#', '&#x', '&#0;', '&#x110000;', '&#xD800;', '&#1F600;',
  '&#x1F600;', '&bogus;', '&lol9;', '<![CDATA[', ']]>', '<!--', '-->', '--', '<?', '?>', '<?xml version="1.0" encoding="UTF-16"?>',
  '<!DOCTYPE AcctMgmtRequests [<!ENTITY e "v">]>', '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd">', '<!ENTITY % pe SYSTEM "file:///etc/hostname">%pe;',
  '<!ENTITY ext SYSTEM "file:///etc/hostname">', '<AcctMgmtRequests>', '</AcctMgmtRequests>', '<SecurityQuestions>', '</SecurityQuestions>',
  '<SecurityQuestions reference_user_name="user1">', '<Details question="9161083" answer="answer1"/>', '<Details/>', '<Details question="">',
  '</Details>', '<x:Details xmlns:x="urn:other"/>', 'xmlns="http://www.interactivebrokers.com/schemas/IBCust_import"', 'xmlns:p="',
  'xmlns=""', 'p:', 'reference_user_name=', 'input_language="zh-Hans"', 'question="', 'answer="', 'answer=x', 'question=\'9161083\'',
  '<Other/>', '<a', '<:', '<1', '</ >',
];

const ASTRAL_CHARACTERS = ['\u{1F600}', '\u{10FFFF}', '\u{1D518}', '\u{20000}', '\u{E0001}'];
const LONE_SURROGATES = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF'];
const NESTED_NAMES = ['Details', 'SecurityQuestions', 'AcctMgmtRequests', 'a', 'x:Details'];
const LINE_ENDINGS = ['\n', '\r\n', '\r'];

export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip-code-unit'; at: number; bit: number }
  | { kind: 'flip-utf8-byte'; at: number; bit: number }
  | { kind: 'insert-markup'; at: number; fragment: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number; to: number }
  | { kind: 'huge-value'; at: number; length: number; character: string }
  | { kind: 'many-attributes'; at: number; count: number }
  | { kind: 'deep-nesting'; at: number; depth: number; name: string; closed: boolean }
  | { kind: 'astral'; at: number; character: string; count: number }
  | { kind: 'lone-surrogate'; at: number; unit: string }
  | { kind: 'nul'; at: number; count: number }
  | { kind: 'line-endings'; pattern: number[] };

/** The largest sizes a mutation generates; the long run raises them. */
export interface MutationLimits {
  maxValueLength: number;
  maxAttributes: number;
  maxDepth: number;
}

export const SHORT_RUN_LIMITS: MutationLimits = { maxValueLength: 50_000, maxAttributes: 1_000, maxDepth: 5_000 };
export const LONG_RUN_LIMITS: MutationLimits = { maxValueLength: 1_000_000, maxAttributes: 100_000, maxDepth: 100_000 };

export function mutationArbitrary(limits: MutationLimits): fc.Arbitrary<Mutation> {
  const at = fc.nat();
  return fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({ kind: fc.constant('flip-code-unit' as const), at, bit: fc.nat({ max: 15 }) }),
    fc.record({ kind: fc.constant('flip-utf8-byte' as const), at, bit: fc.nat({ max: 7 }) }),
    { arbitrary: fc.record({ kind: fc.constant('insert-markup' as const), at, fragment: fc.constantFrom(...MARKUP_FRAGMENTS) }), weight: 4 },
    fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('duplicate' as const), at, length: fc.integer({ min: 1, max: 200 }), to: fc.nat() }),
    fc.record({ kind: fc.constant('huge-value' as const), at, length: fc.integer({ min: 257, max: limits.maxValueLength }), character: fc.constantFrom('a', 'é', '\u{1F600}', '&amp;', ' ', '"') }),
    fc.record({ kind: fc.constant('many-attributes' as const), at, count: fc.integer({ min: 2, max: limits.maxAttributes }) }),
    fc.record({ kind: fc.constant('deep-nesting' as const), at, depth: fc.integer({ min: 2, max: limits.maxDepth }), name: fc.constantFrom(...NESTED_NAMES), closed: fc.boolean() }),
    fc.record({ kind: fc.constant('astral' as const), at, character: fc.constantFrom(...ASTRAL_CHARACTERS), count: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ kind: fc.constant('lone-surrogate' as const), at, unit: fc.constantFrom(...LONE_SURROGATES) }),
    fc.record({ kind: fc.constant('nul' as const), at, count: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('line-endings' as const), pattern: fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 8 }) }),
  );
}

/** The text after one mutation and the offset where it applied (`undefined` for a whole-text change). */
export function applyMutation(text: string, mutation: Mutation): { text: string; at: number | undefined } {
  if (mutation.kind === 'line-endings') {
    let index = 0;
    const replaced = text.replace(/\r\n|\r|\n/g, () => LINE_ENDINGS[mutation.pattern[index++ % mutation.pattern.length] ?? 0] ?? '\n');
    return { text: replaced, at: undefined };
  }

  const at = mutation.at % (text.length + 1);
  const insert = (inserted: string): { text: string; at: number } => ({ text: text.slice(0, at) + inserted + text.slice(at), at });
  switch (mutation.kind) {
    case 'truncate':
      return { text: text.slice(0, at), at };
    case 'flip-code-unit': {
      if (at === text.length) return { text, at };
      // Any UTF-16 code unit can result, lone surrogates and U+0000 included.
      const flipped = String.fromCharCode(text.charCodeAt(at) ^ (1 << mutation.bit));
      return { text: text.slice(0, at) + flipped + text.slice(at + 1), at };
    }
    case 'flip-utf8-byte': {
      // A corrupted UTF-8 file as an editor decodes it: invalid sequences become U+FFFD.
      const bytes = Buffer.from(text, 'utf8');
      if (bytes.length === 0) return { text, at: 0 };
      const byteIndex = mutation.at % bytes.length;
      bytes[byteIndex] = (bytes[byteIndex] ?? 0) ^ (1 << mutation.bit);
      const decoded = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      return { text: decoded, at: Math.min(at, decoded.length) };
    }
    case 'insert-markup':
      return insert(mutation.fragment);
    case 'delete':
      return { text: text.slice(0, at) + text.slice(at + mutation.length), at };
    case 'duplicate': {
      const copied = text.slice(at, at + mutation.length);
      const to = mutation.to % (text.length + 1);
      return { text: text.slice(0, to) + copied + text.slice(to), at: to };
    }
    case 'huge-value': {
      const value = mutation.character.repeat(Math.ceil(mutation.length / mutation.character.length));
      // Grow the next attribute value when there is one, so the rules see a huge answer or id.
      const quote = text.indexOf('="', at);
      if (quote === -1) return insert(` answer="${value}"`);
      return { text: text.slice(0, quote + 2) + value + text.slice(quote + 2), at: quote + 2 };
    }
    case 'many-attributes': {
      const attributes: string[] = [];
      for (let index = 0; index < mutation.count; index++) attributes.push(index % 3 === 0 ? `answer="a${index}"` : `a${index}="v"`);
      return insert(` ${attributes.join(' ')} `);
    }
    case 'deep-nesting': {
      const open = `<${mutation.name}>`.repeat(mutation.depth);
      return insert(mutation.closed ? open + `</${mutation.name}>`.repeat(mutation.depth) : open);
    }
    case 'astral':
      return insert(mutation.character.repeat(mutation.count));
    case 'lone-surrogate':
      return insert(mutation.unit);
    case 'nul':
      return insert('\0'.repeat(mutation.count));
  }
}

export interface FuzzInput {
  seedName: string;
  mutations: Mutation[];
  text: string;
  /** Offsets where mutations applied, in the final text's coordinates as far as later mutations kept them. */
  mutationOffsets: number[];
}

/** A seed document with one to four mutations applied in order. */
export function fuzzInputArbitrary(seeds: readonly { name: string; text: string }[], limits: MutationLimits): fc.Arbitrary<FuzzInput> {
  return fc.record({ seed: fc.constantFrom(...seeds), mutations: fc.array(mutationArbitrary(limits), { minLength: 1, maxLength: 4 }) }).map(({ seed, mutations }) => {
    let text = seed.text;
    const mutationOffsets: number[] = [];
    for (const mutation of mutations) {
      const applied = applyMutation(text, mutation);
      text = applied.text;
      if (applied.at !== undefined) mutationOffsets.push(applied.at);
    }
    return { seedName: seed.name, mutations, text, mutationOffsets };
  });
}

/** A short description of an input for a failure message: the seed, the mutations without huge fields, and the length. */
export function describeInput(input: FuzzInput): string {
  const mutations = input.mutations.map((mutation) => JSON.stringify(mutation)).join(', ');
  return `${input.seedName} with [${mutations}] (${input.text.length} characters)`;
}

export interface EditSequence {
  seedName: string;
  mutations: Mutation[];
  /** The seed text and the text after each mutation. */
  versions: string[];
}

/** A seed document and the versions that 1 to `maxEdits` successive mutations make of it, as typing or pasting does. */
export function editSequenceArbitrary(seeds: readonly { name: string; text: string }[], limits: MutationLimits, maxEdits: number): fc.Arbitrary<EditSequence> {
  return fc.record({ seed: fc.constantFrom(...seeds), mutations: fc.array(mutationArbitrary(limits), { minLength: 1, maxLength: maxEdits }) }).map(({ seed, mutations }) => {
    const versions = [seed.text];
    for (const mutation of mutations) versions.push(applyMutation(versions[versions.length - 1] ?? '', mutation).text);
    return { seedName: seed.name, mutations, versions };
  });
}
