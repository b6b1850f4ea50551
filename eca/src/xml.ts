/** Small helpers over `@xmldom/xmldom` for reading replies and writing the emulator's documents. */

import { DOMParser, XMLSerializer, type Element, type Node } from '@xmldom/xmldom';

import { EcaError } from './errors';
import type { ExtraElement } from './types';

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

/**
 * Parses `text` as XML and returns its root element. Raises `invalid-response` naming `label`
 * when the text is not well-formed; xmldom's warnings are not errors.
 */
export function parseXml(text: string, label: string): Element {
  const problems: string[] = [];
  let root: Element | null = null;
  try {
    const document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') problems.push(message);
      },
    }).parseFromString(text, 'text/xml');
    root = document.documentElement;
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  if (problems.length > 0 || root === null) {
    const first = problems[0]?.split('\n')[0] ?? 'no root element';
    throw new EcaError('invalid-response', `${label} is not well-formed XML: ${first}`);
  }
  return root;
}

export function childElements(element: Element): Element[] {
  const result: Element[] = [];
  for (let index = 0; index < element.childNodes.length; index++) {
    const node: Node | null = element.childNodes.item(index);
    if (node !== null && node.nodeType === ELEMENT_NODE) result.push(node as Element);
  }
  return result;
}

/** Returns the direct text and CDATA content of an element, without that of its children. */
export function ownText(element: Element): string {
  let text = '';
  for (let index = 0; index < element.childNodes.length; index++) {
    const node = element.childNodes.item(index);
    if (node !== null && (node.nodeType === TEXT_NODE || node.nodeType === CDATA_SECTION_NODE)) text += node.nodeValue ?? '';
  }
  return text;
}

export function attributesOf(element: Element): Record<string, string> {
  const result: Record<string, string> = {};
  for (let index = 0; index < element.attributes.length; index++) {
    const attribute = element.attributes.item(index);
    if (attribute !== null) result[attribute.name] = attribute.value;
  }
  return result;
}

export function elementName(element: Element): string {
  return element.localName ?? element.nodeName;
}

export function serializeElement(element: Element): string {
  return new XMLSerializer().serializeToString(element);
}

export function toExtraElement(element: Element): ExtraElement {
  return {
    name: element.nodeName,
    attributes: attributesOf(element),
    text: (element.textContent ?? '').trim(),
    xml: serializeElement(element),
  };
}

/** Escapes text for use in XML content and in double-quoted attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => {
    switch (char) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}
