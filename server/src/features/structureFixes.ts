/**
 * Quick fixes for the XML structure of a request file: namespace, XML declaration, the
 * AcctMgmtRequests wrapper, DOCTYPE, attributes and misplaced content.
 */

import { childrenAt, IBKR_NAMESPACE, type ElementNode, type ParsedDocument, type TextNode } from '../check/model';
import { DETAILS_ELEMENT, findAttribute, WRAPPER_ELEMENT } from '../check/requests';
import { quickFix, type FixContext, type QuickFix } from './fixTypes';
import { attributeEnd, editDistance, escapeAttributeValue, indentationBefore, indentUnit, insertAt, lineEnding, parentMap, replaceSpan, startOfSpaceBefore, type OffsetEdit } from './xmlEdits';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** Attributes that IBKR's XSD defines, per element local name. */
export const DEFINED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  SecurityQuestions: ['reference_user_name', 'input_language'],
  Details: ['question', 'answer'],
};

/** Sets the namespace declaration that puts the reported element in the IBKR namespace. */
export function fixNamespace({ analysis, problem }: FixContext): QuickFix[] {
  const parsed = analysis.result.parsed;
  const parents = parentMap(parsed, problem.span.start);
  const element = [...parents.keys()].find((candidate) => candidate.nameSpan.start === problem.span.start);
  if (element === undefined) return [];

  const declarationName = element.prefix === undefined ? 'xmlns' : `xmlns:${element.prefix}`;
  for (let current: ElementNode | undefined = element; current !== undefined; current = parents.get(current)) {
    const declaration = current.attributes.find((attribute) => attribute.name === declarationName);
    if (declaration !== undefined) {
      return [quickFix(`Set ${declarationName} to ${IBKR_NAMESPACE}`, [replaceSpan(declaration.valueSpan, IBKR_NAMESPACE)])];
    }
  }
  // No declaration in scope: declare the namespace on the reported element itself.
  const declaration = `${declarationName}="${IBKR_NAMESPACE}"`;
  return [quickFix(`Add ${declaration}`, [insertAt(element.nameSpan.end, ` ${declaration}`)])];
}

/** Adds the XML declaration, or the encoding in it, or corrects its encoding to UTF-8. */
export function fixEncodingDeclaration({ analysis, text }: FixContext): QuickFix[] {
  const parsed = analysis.result.parsed;
  const declaration = parsed.xmlDeclaration;
  if (declaration === undefined) {
    return [quickFix(`Add ${XML_DECLARATION}`, [insertAt(parsed.bomLength, XML_DECLARATION + lineEnding(text))])];
  }
  if (declaration.encoding !== undefined) {
    return [quickFix('Set the encoding to UTF-8', [replaceSpan(declaration.encoding.span, 'UTF-8')])];
  }
  // The encoding goes right after the version, which XML requires to come first.
  const declarationText = text.slice(declaration.span.start, declaration.span.end);
  const version = /^<\?xml\s+version\s*=\s*("[^"]*"|'[^']*')/.exec(declarationText);
  const offset = declaration.span.start + (version === null ? '<?xml'.length : version[0].length);
  const newText = version === null ? ' version="1.0" encoding="UTF-8"' : ' encoding="UTF-8"';
  return [quickFix('Add encoding="UTF-8" to the XML declaration', [insertAt(offset, newText)])];
}

/**
 * Wraps a bare SecurityQuestions root in AcctMgmtRequests and indents the lines of the old
 * root one level. Lines that start inside an attribute value or inside text are left as they
 * are, because indenting them would change the value.
 */
export function fixRootElement({ analysis, problem, text }: FixContext): QuickFix[] {
  const root = analysis.result.parsed.root;
  if (problem.data?.['missingWrapper'] !== true || root === undefined || (root.endTagSpan === undefined && !root.selfClosing)) return [];

  const eol = lineEnding(text);
  const unit = indentUnit(text, root);
  const ownIndent = indentationBefore(text, root.span.start) ?? '';
  const protectedSpans = valueSpansInside(root);
  const edits: OffsetEdit[] = [insertAt(root.span.start, `<${WRAPPER_ELEMENT} xmlns="${IBKR_NAMESPACE}">${eol}${ownIndent}${unit}`)];
  for (let index = root.span.start; index < root.span.end; index += 1) {
    if (text[index] !== '\n') continue;
    const start = index + 1;
    // A value or text that ends at the line start would grow too, so its end counts as inside.
    if (start >= root.span.end || protectedSpans.some((span) => start > span.start && start <= span.end)) continue;
    edits.push(insertAt(start, unit));
  }
  edits.push(insertAt(root.span.end, `${eol}${ownIndent}</${WRAPPER_ELEMENT}>`));
  return [quickFix(`Wrap ${root.name} in ${WRAPPER_ELEMENT}`, edits)];
}

function valueSpansInside(element: ElementNode): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  const pending = [element];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const attribute of next.attributes) spans.push(attribute.valueSpan);
    for (const child of next.children) {
      if (child.kind === 'element') pending.push(child);
      else if (child.kind === 'cdata' || (child.kind === 'text' && !/^[ \t\r\n]*$/.test(child.value))) spans.push(child.span);
    }
  }
  return spans;
}

/** Removes the reported DOCTYPE, whose span is the diagnostic's: a file may have several. */
export function fixDoctype({ problem, text }: FixContext): QuickFix[] {
  const doctype = problem.span;
  if (!text.startsWith('<!DOCTYPE', doctype.start)) return [];
  let end = doctype.end;
  if (text[end] === '\r') end += 1;
  if (text[end] === '\n') end += 1;
  return [quickFix('Remove the DOCTYPE', [replaceSpan({ start: doctype.start, end }, '')])];
}

/** Removes an attribute the element does not define, or renames it when it is a likely typo. */
export function fixUnknownAttribute({ analysis, problem, text }: FixContext): QuickFix[] {
  const found = findAttributeAt(analysis.result.parsed, problem.span.start);
  if (found === undefined) return [];
  const { element, attribute } = found;
  const defined = DEFINED_ATTRIBUTES[element.localName] ?? [];

  const suggested = typeof problem.data?.['suggestion'] === 'string' ? problem.data['suggestion'] : closestName(attribute.localName, defined);
  const fixes: QuickFix[] = [];
  if (suggested !== undefined && !element.attributes.some((candidate) => candidate.name === suggested)) {
    fixes.push(quickFix(`Rename ${attribute.name} to ${suggested}`, [replaceSpan(attribute.nameSpan, suggested)]));
  }
  const whole = { start: startOfSpaceBefore(text, attribute.nameSpan.start), end: attributeEnd(attribute, text) };
  fixes.push(quickFix(`Remove attribute ${attribute.name}`, [replaceSpan(whole, '')], fixes.length === 0));
  return fixes;
}

function closestName(name: string, defined: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of defined) {
    const distance = editDistance(name.toLowerCase(), candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/**
 * Finds the attribute whose name starts at `nameStart`, looking only into elements that contain
 * it. Attributes are in text order, so a start tag of thousands of them is searched by halving.
 */
function findAttributeAt(parsed: ParsedDocument, nameStart: number): { element: ElementNode; attribute: ElementNode['attributes'][number] } | undefined {
  for (const next of parentMap(parsed, nameStart).keys()) {
    const attributes = next.attributes;
    let low = 0;
    let high = attributes.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const start = attributes[middle]!.nameSpan.start;
      if (start === nameStart) return { element: next, attribute: attributes[middle]! };
      if (start < nameStart) low = middle + 1;
      else high = middle - 1;
    }
  }
  return undefined;
}

/**
 * Puts an unquoted value, or one in curly quotes, in straight double quotes. The parser
 * reports such a value over its whole written extent (curly quotes included) and keeps the
 * text between the quotes as the raw value. `"`, `&` and `<` in it are escaped, so the quoted
 * value reads as the characters the user typed. The edit contains the value (a possible
 * answer), so it is computed only when the fix is applied.
 */
export function fixUnquotedValue({ analysis, problem, text }: FixContext): QuickFix[] {
  const opening = text[problem.span.start];
  if (opening === '"' || opening === "'") return [];
  for (const element of parentMap(analysis.result.parsed, problem.span.start).keys()) {
    for (const attribute of element.attributes) {
      const { valueSpan } = attribute;
      const startsAtProblem = valueSpan.start === problem.span.start || valueSpan.start === problem.span.start + 1;
      if (attribute.complete || !startsAtProblem || valueSpan.end > problem.span.end || valueSpan.end === valueSpan.start) continue;
      const before = text[valueSpan.start - 1];
      if (before === '"' || before === "'") continue;
      return [
        {
          title: `Put the value of ${attribute.name} in quotes`,
          isPreferred: true,
          containsDocumentText: true,
          edits: () => [replaceSpan(problem.span, `"${escapeAttributeValue(attribute.rawValue)}"`)],
        },
      ];
    }
  }
  return [];
}

/** Adds a missing required attribute after the element's last attribute. */
export function fixRequiredAttribute({ analysis, problem, text }: FixContext, defaultValue: (element: ElementNode, name: string) => string): QuickFix[] {
  const name = problem.data?.['attribute'];
  if (typeof name !== 'string') return [];
  const element = [...parentMap(analysis.result.parsed, problem.span.start).keys()].find((candidate) => candidate.nameSpan.start === problem.span.start);
  if (element === undefined || findAttribute(element, name) !== undefined) return [];
  const last = element.attributes[element.attributes.length - 1];
  const offset = last === undefined ? element.nameSpan.end : attributeEnd(last, text);
  const value = escapeAttributeValue(defaultValue(element, name));
  return [quickFix(`Add attribute ${name}`, [insertAt(offset, ` ${name}="${value}"`)])];
}

/**
 * Fixes for content where the request allows none: moves the text of a Details into its
 * answer attribute, renames a wrongly cased Details element, or removes stray text.
 */
export function fixUnexpectedContent({ analysis, problem, text }: FixContext): QuickFix[] {
  const parents = parentMap(analysis.result.parsed, problem.span.start);
  for (const element of parents.keys()) {
    for (const child of childrenAt(element, problem.span.start)) {
      if (child.kind === 'element' && child.nameSpan.start === problem.span.start && child.localName.toLowerCase() === DETAILS_ELEMENT.toLowerCase()) {
        return renameElement(child, child.prefix === undefined ? DETAILS_ELEMENT : `${child.prefix}:${DETAILS_ELEMENT}`);
      }
      if ((child.kind === 'text' || child.kind === 'cdata') && child.span.start <= problem.span.start && problem.span.end <= child.span.end) {
        const fixes: QuickFix[] = [];
        if (element.localName !== DETAILS_ELEMENT) {
          fixes.push(quickFix(child.kind === 'cdata' ? 'Remove the CDATA section' : 'Remove the text', [replaceSpan(problem.span, '')], false));
          return fixes;
        }
        fixes.push(...moveTextToAnswer(element, text));
        // Comments may cut a Details' text into pieces, each reported on its own. A Details takes
        // no text, so the fix removes every piece and keeps the comments.
        const pieces = contentPieces(element).map((node) => trimSpan(node, text));
        const title = pieces.length > 1 ? `Remove all the text in ${element.name}` : child.kind === 'cdata' ? 'Remove the CDATA section' : 'Remove the text';
        fixes.push(quickFix(title, pieces.map((span) => replaceSpan(span, '')), false));
        return fixes;
      }
    }
  }
  return [];
}

function renameElement(element: ElementNode, name: string): QuickFix[] {
  const edits: OffsetEdit[] = [replaceSpan(element.nameSpan, name)];
  if (element.endTagSpan !== undefined) {
    // The end tag is `</` + name (+ white space) + `>`.
    const nameStart = element.endTagSpan.start + 2;
    edits.push(replaceSpan({ start: nameStart, end: nameStart + element.name.length }, name));
  }
  return [quickFix(`Rename ${element.name} to ${name}`, edits)];
}

/** Returns the text and CDATA children of an element that are not blank. */
function contentPieces(element: ElementNode): TextNode[] {
  const pieces: TextNode[] = [];
  for (const child of element.children) {
    if (child.kind === 'cdata' || (child.kind === 'text' && !/^[ \t\r\n]*$/.test(child.value))) pieces.push(child);
  }
  return pieces;
}

/** Returns the span of a text node without leading and trailing white space; a CDATA section keeps its whole span. */
function trimSpan(node: TextNode, text: string): { start: number; end: number } {
  if (node.kind === 'cdata') return node.span;
  const raw = text.slice(node.span.start, node.span.end);
  const start = node.span.start + (/^[ \t\r\n]*/.exec(raw)?.[0].length ?? 0);
  const end = node.span.end - (/[ \t\r\n]*$/.exec(raw)?.[0].length ?? 0);
  return start < end ? { start, end } : node.span;
}

/**
 * Moves the text of `<Details question="…">text</Details>` into `answer="…"` and makes the
 * element empty. Offered only when the text is the element's only content and the element
 * has no answer or a blank one. Leading and trailing white space is trimmed: it is layout
 * around the text, and kept it would be part of the answer. Entity and character references
 * are moved as written, so that the answer means what the text meant and an undefined entity
 * is still reported. When comments cut the text into pieces, no move is offered: joining the
 * pieces would guess where the answer's white space belongs. The edit contains the answer,
 * so it is computed only when the fix is applied (see `containsDocumentText`).
 */
function moveTextToAnswer(details: ElementNode, text: string): QuickFix[] {
  if (details.endTagSpan === undefined || !details.startTagComplete || details.selfClosing) return [];
  if (details.children.some((child) => child.kind !== 'text' && child.kind !== 'cdata')) return [];
  const contentNodes = contentPieces(details);
  if (contentNodes.length !== 1) return [];
  const answer = findAttribute(details, 'answer');
  if (answer !== undefined && answer.value.trim() !== '') return [];

  const tagClose = details.startTagSpan.end - 1;
  const node = contentNodes[0];
  if (node === undefined || text[tagClose] !== '>') return [];

  return [
    {
      title: 'Move the element text, trimmed, into the answer attribute',
      isPreferred: true,
      containsDocumentText: true,
      edits: () => {
        const trimmed = node.value.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
        const written = trimSpan(node, text);
        const value = node.kind === 'cdata' ? escapeAttributeValue(trimmed) : escapeRawText(text.slice(written.start, written.end));
        const contentAndEndTag = { start: tagClose, end: details.span.end };
        if (answer === undefined) return [replaceSpan(contentAndEndTag, ` answer="${value}" />`)];
        return [replaceSpan(answer.valueSpan, value), replaceSpan(contentAndEndTag, ' />')];
      },
    },
  ];
}

/**
 * Makes element text as written valid in a double-quoted attribute value. References stay as
 * they are. `"`, a bare `<`, tab, CR and LF become character references, because
 * attribute-value normalization would turn the last three into spaces.
 */
function escapeRawText(raw: string): string {
  return raw.replace(/["<\t\n\r]/g, (character) => (character === '"' ? '&quot;' : character === '<' ? '&lt;' : `&#${character.charCodeAt(0)};`));
}
