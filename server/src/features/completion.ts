/**
 * Completion in request files: question ids from the loaded list, `input_language` values,
 * attribute names and element names. The cursor context comes from a scan of the raw text,
 * so completion also works in half-typed documents.
 */

import {
  Command,
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  Range,
  TextEdit,
  type CompletionItem,
  type CompletionList,
  type Position,
} from 'vscode-languageserver';

import { canonicalQuestionId } from '../check/catalog';
import { KNOWN_INPUT_LANGUAGES } from '../check/languages';
import { IBKR_NAMESPACE, type ParsedDocument, type SecurityQuestion } from '../check/model';
import { MAX_SYNTAX_PROBLEMS } from '../check/xml/context';
import { DETAILS_ELEMENT, SECURITY_QUESTIONS, WRAPPER_ELEMENT, type RequestInfo } from '../check/requests';
import type { Analysis } from '../documents';
import { scanAt, type CursorContext, type ScanStart, type ScannedElement } from './cursorContext';
import { describeQuestion } from './questionText';

export interface CompletionOptions {
  /** Whether the client accepts snippet syntax (`$1`, `${1|a,b|}`) in insert texts. */
  snippets: boolean;
  /** The character that triggered the request, when typing one did. */
  triggerCharacter: string | undefined;
}

/** VS Code's command that opens the suggestion list again, used after inserting `question=""`. */
const TRIGGER_SUGGEST = Command.create('Suggest', 'editor.action.triggerSuggest');

const DEFINED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  [WRAPPER_ELEMENT]: ['xmlns'],
  [SECURITY_QUESTIONS]: ['reference_user_name', 'input_language'],
  [DETAILS_ELEMENT]: ['question', 'answer'],
};

const ATTRIBUTE_DOCUMENTATION: Readonly<Record<string, string>> = {
  xmlns: `The IBKR request namespace, ${IBKR_NAMESPACE}.`,
  reference_user_name: 'The IBKR user name of the account (not the account id). Required.',
  input_language: 'Language of the answers, `language[-Script]` such as `zh-Hans`. Optional; IBKR assumes `en`.',
  question: 'A question id from the SECURITY_QUESTIONS list. Required.',
  answer: 'The answer, at most 256 characters. Required; every answer in a request must differ.',
};

/** Child elements offered in each container; the empty key is the top level of the document. */
const CHILD_ELEMENTS: Readonly<Record<string, readonly string[]>> = {
  '': [WRAPPER_ELEMENT],
  [WRAPPER_ELEMENT]: [SECURITY_QUESTIONS],
  [SECURITY_QUESTIONS]: [DETAILS_ELEMENT],
};

export function complete(analysis: Analysis, position: Position, options: CompletionOptions): CompletionList {
  const empty: CompletionList = { isIncomplete: false, items: [] };
  if (!analysis.result.applies) return empty;

  const document = analysis.document;
  const text = document.getText();
  const offset = document.offsetAt(position);
  const scan = scanAt(text, offset, scanStartFor(analysis.result.parsed, analysis.requests, text, offset));
  const context = scan.context;
  const builder = new ItemBuilder(analysis, offset, options, scan.elements);

  const trigger = options.triggerCharacter;
  switch (context.kind) {
    case 'attributeValue':
      if (trigger === ' ' || trigger === '<') return empty;
      return { isIncomplete: false, items: builder.attributeValues(context) };
    case 'attributeName':
      if (trigger === '"' || trigger === "'" || trigger === '<') return empty;
      return { isIncomplete: false, items: builder.attributeNames(context) };
    case 'elementName':
      if (trigger !== undefined && trigger !== '<') return empty;
      return { isIncomplete: false, items: builder.elementItems(context.parent, context.nameStart, context.nameEnd, false) };
    case 'content':
      if (trigger !== undefined) return empty;
      return { isIncomplete: false, items: builder.elementItems(context.parent, context.wordStart, offset, true) };
    case 'none':
      return empty;
  }
}

/**
 * Returns where the cursor scan can start in a batch file: the start of the request (child
 * element of the root) before the cursor, when no syntax problem lies between the root's start
 * tag and there. A full scan would reach that offset with only the root open, so the scan can
 * skip the requests before it. Only under the wrapper root: completion reads the children of a
 * `SecurityQuestions` element, and a `SecurityQuestions` root has requests' Details as children.
 */
function scanStartFor(parsed: ParsedDocument, requests: readonly RequestInfo[], text: string, offset: number): ScanStart | undefined {
  const root = parsed.root;
  if (root?.localName !== WRAPPER_ELEMENT || !root.startTagComplete || parsed.text !== text) return undefined;

  // The requests are the root's element children in document order: find the last one that starts before the cursor.
  let low = 0;
  let high = requests.length - 1;
  let found: RequestInfo | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const request = requests[middle]!;
    if (request.span.start < offset) {
      found = request;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }

  let from = -1;
  // The incremental checker moves the nodes of a model in place once a later version is checked.
  if (found !== undefined && text.startsWith(`<${found.element.name}`, found.span.start)) from = found.span.start;

  const rootStartTagEnd = root.startTagSpan.end;
  if (from <= rootStartTagEnd) return undefined;
  // A full list may have dropped problems of any offset.
  if (parsed.syntaxProblems.length >= MAX_SYNTAX_PROBLEMS) return undefined;
  if (parsed.syntaxProblems.some(({ span }) => span.start < from && (span.start >= rootStartTagEnd || span.end > rootStartTagEnd))) return undefined;
  return { rootName: root.name, rootStartTagEnd, from };
}

class ItemBuilder {
  private readonly text: string;

  constructor(
    private readonly analysis: Analysis,
    private readonly offset: number,
    private readonly options: CompletionOptions,
    private readonly scannedElements: readonly ScannedElement[],
  ) {
    this.text = analysis.document.getText();
  }

  attributeValues(context: Extract<CursorContext, { kind: 'attributeValue' }>): CompletionItem[] {
    const elementName = context.element.localName;
    const attributeName = context.attribute.name;
    const edit = this.valueEdit(context);

    if (elementName === DETAILS_ELEMENT && attributeName === 'question') {
      return this.questionIds(context.element, edit);
    }
    if (elementName === SECURITY_QUESTIONS && attributeName === 'input_language') {
      return KNOWN_INPUT_LANGUAGES.map((language, index) => ({
        label: language,
        kind: CompletionItemKind.EnumMember,
        detail: languageName(language),
        documentation: "One of the languages that IBKR's Web API accepts. IBKR does not publish which ones the legacy XML request accepts.",
        sortText: String(index).padStart(3, '0'),
        textEdit: TextEdit.replace(edit.range, language + edit.suffix),
      }));
    }
    if (elementName === WRAPPER_ELEMENT && attributeName === 'xmlns') {
      return [{ label: IBKR_NAMESPACE, kind: CompletionItemKind.Value, detail: 'IBKR request namespace', textEdit: TextEdit.replace(edit.range, IBKR_NAMESPACE + edit.suffix) }];
    }
    return [];
  }

  attributeNames(context: Extract<CursorContext, { kind: 'attributeName' }>): CompletionItem[] {
    const defined = DEFINED_ATTRIBUTES[context.element.localName] ?? [];
    const present = new Set(context.element.attributes.filter((attribute) => attribute.nameStart !== context.nameStart).map((attribute) => attribute.name));
    const range = this.range(context.nameStart, context.nameEnd);

    return defined
      .filter((name) => !present.has(name))
      .map((name, index) => {
        const item: CompletionItem = {
          label: name,
          kind: CompletionItemKind.Property,
          documentation: { kind: MarkupKind.Markdown, value: ATTRIBUTE_DOCUMENTATION[name] ?? '' },
          sortText: String(index).padStart(3, '0'),
        };
        if (context.hasValue) {
          item.textEdit = TextEdit.replace(range, name);
          return item;
        }
        const value = name === 'xmlns' ? IBKR_NAMESPACE : '';
        if (this.options.snippets && value === '') {
          item.textEdit = TextEdit.replace(range, `${name}="$1"`);
          item.insertTextFormat = InsertTextFormat.Snippet;
          if (this.valuesExistFor(name)) item.command = TRIGGER_SUGGEST;
        } else {
          item.textEdit = TextEdit.replace(range, `${name}="${value}"`);
        }
        return item;
      });
  }

  /**
   * Element items for the children that `parent` takes. `inContent` is true when no `<` is
   * typed yet, so the items insert it.
   */
  elementItems(parent: ScannedElement | undefined, start: number, end: number, inContent: boolean): CompletionItem[] {
    const parentName = parent?.localName ?? '';
    // The root element is offered only while the document has no other top-level element.
    const typedElementStart = inContent ? -1 : start - 1;
    if (parent === undefined && this.scannedElements.some((element) => element.parent === undefined && element.start !== typedElementStart)) return [];
    const children = CHILD_ELEMENTS[parentName] ?? [];
    const range = this.range(start, end);
    const open = inContent ? '<' : '';
    // A whole element is inserted only where nothing follows on the line, so an existing tag is never broken.
    const lineRest = this.text.slice(end).split(/\r?\n/, 1)[0] ?? '';
    const wholeElement = lineRest.trim() === '';

    const items: CompletionItem[] = [];
    children.forEach((name, index) => {
      items.push({ label: name, kind: CompletionItemKind.Class, sortText: `${index}0`, textEdit: TextEdit.replace(range, open + name) });
      if (!wholeElement) return;
      const body = this.elementSnippet(name, parent);
      items.push({
        label: name,
        labelDetails: { detail: ' (whole element)', description: body.description },
        kind: CompletionItemKind.Snippet,
        sortText: `${index}1`,
        filterText: name,
        textEdit: TextEdit.replace(range, open + this.snippetOrPlain(body.snippet)),
        insertTextFormat: this.options.snippets ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
      });
    });
    return items;
  }

  private elementSnippet(name: string, parent: ScannedElement | undefined): { snippet: string; description: string } {
    const catalog = this.analysis.catalog;
    const unused = this.unusedQuestions(parent);
    if (name === DETAILS_ELEMENT) {
      const ids = unused.map((question) => question.id);
      const choice = ids.length > 0 ? `\${1|${ids.join(',')}|}` : '$1';
      const description = ids[0] !== undefined ? `question ${ids[0]}` : 'Details element';
      return { snippet: `${DETAILS_ELEMENT} question="${choice}" answer="$2" />$0`, description };
    }
    if (name === SECURITY_QUESTIONS) {
      const ids = catalog === undefined ? [] : [...catalog.questions.values()].map((question) => question.id);
      const lines = [0, 1, 2].map((index) => {
        const id = ids[index];
        const placeholder = id === undefined ? `$${index * 2 + 2}` : `\${${index * 2 + 2}:${id}}`;
        return `\t<${DETAILS_ELEMENT} question="${placeholder}" answer="$${index * 2 + 3}" />`;
      });
      return { snippet: [`${SECURITY_QUESTIONS} reference_user_name="$1">`, ...lines, `</${SECURITY_QUESTIONS}>$0`].join('\n'), description: 'request with 3 Details' };
    }
    return { snippet: `${WRAPPER_ELEMENT} xmlns="${IBKR_NAMESPACE}">\n\t$0\n</${WRAPPER_ELEMENT}>`, description: 'root element with the IBKR namespace' };
  }

  private questionIds(details: ScannedElement, edit: { range: Range; suffix: string }): CompletionItem[] {
    const catalog = this.analysis.catalog;
    if (catalog === undefined) return [];
    const used = this.usedQuestionIds(details.parent, details);

    const items: CompletionItem[] = [];
    let index = 0;
    for (const question of catalog.questions.values()) {
      const isUsed = used.has(canonicalQuestionId(question.id));
      const item: CompletionItem = {
        label: question.id,
        labelDetails: { description: question.question },
        kind: CompletionItemKind.Value,
        detail: isUsed ? `${question.question} (already used in this request)` : question.question,
        documentation: { kind: MarkupKind.Markdown, value: describeQuestion(question, catalog) },
        // Unused ids first in list order, then the ids that this request already uses.
        sortText: `${isUsed ? 1 : 0}${String(index).padStart(5, '0')}`,
        filterText: `${question.id} ${question.question}`,
        textEdit: TextEdit.replace(edit.range, question.id + edit.suffix),
      };
      if (isUsed) item.labelDetails = { detail: ' (used)', description: question.question };
      items.push(item);
      index += 1;
    }
    return items;
  }

  /** Returns the list's questions that no Details of `securityQuestions` uses, in list order. */
  private unusedQuestions(securityQuestions: ScannedElement | undefined): SecurityQuestion[] {
    const catalog = this.analysis.catalog;
    if (catalog === undefined) return [];
    const used = this.usedQuestionIds(securityQuestions, undefined);
    return [...catalog.questions.values()].filter((question) => !used.has(canonicalQuestionId(question.id)));
  }

  private usedQuestionIds(securityQuestions: ScannedElement | undefined, except: ScannedElement | undefined): Set<string> {
    const used = new Set<string>();
    if (securityQuestions?.localName !== SECURITY_QUESTIONS) return used;
    for (const element of this.scannedElements) {
      if (element.parent !== securityQuestions || element === except || element.localName !== DETAILS_ELEMENT) continue;
      const question = element.attributes.find((attribute) => attribute.name === 'question');
      const value = question?.rawValue?.trim();
      if (value !== undefined && value !== '') used.add(canonicalQuestionId(value));
    }
    return used;
  }

  /**
   * The range an attribute value item replaces and the text to add after it. The range is the
   * id-like token around the cursor. The closing quote is added when the value has none, as in
   * `question="` typed before ` answer="x"` or at the end of a line.
   */
  private valueEdit(context: Extract<CursorContext, { kind: 'attributeValue' }>): { range: Range; suffix: string } {
    const before = this.text.slice(context.valueStart, this.offset);
    const after = this.text.slice(this.offset, context.valueEnd);
    const tokenStart = this.offset - (/[^\s"'<>=]*$/.exec(before)?.[0].length ?? 0);
    const tokenEnd = this.offset + (/^[^\s"'<>=]*/.exec(after)?.[0].length ?? 0);
    const rest = this.text.slice(tokenEnd, context.valueEnd);
    const quoteFollows = context.closed && !rest.includes('=');
    const end = quoteFollows && rest.trim() === '' ? context.valueEnd : tokenEnd;
    return { range: this.range(tokenStart, end), suffix: quoteFollows ? '' : context.quote };
  }

  private valuesExistFor(attributeName: string): boolean {
    if (attributeName === 'question') return this.analysis.catalog !== undefined;
    return attributeName === 'input_language';
  }

  private range(start: number, end: number): Range {
    const document = this.analysis.document;
    return Range.create(document.positionAt(start), document.positionAt(end));
  }

  /** Turns a snippet into plain text for clients without snippet support: placeholders become their default. */
  private snippetOrPlain(snippet: string): string {
    if (this.options.snippets) return snippet;
    return snippet
      .replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1')
      .replace(/\$\{\d+:([^}]*)\}/g, '$1')
      .replace(/\$\d+/g, '');
  }
}

function languageName(tag: string): string | undefined {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(tag);
  } catch {
    return undefined;
  }
}
