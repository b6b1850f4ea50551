/**
 * Finds the requests of a request file: the element children of the `AcctMgmtRequests` root,
 * or the root itself when it is a `SecurityQuestions` element written without the wrapper.
 */

import { spansContaining, type AttributeNode, type ElementNode, type ParsedDocument, type Span } from './model';

export const WRAPPER_ELEMENT = 'AcctMgmtRequests';
export const SECURITY_QUESTIONS = 'SecurityQuestions';
export const DETAILS_ELEMENT = 'Details';

export interface DetailInfo {
  element: ElementNode;
  question: AttributeNode | undefined;
  answer: AttributeNode | undefined;
}

export interface RequestInfo {
  element: ElementNode;
  /** The span of the request element, readable without making the element. */
  span: Span;
  /** Local name of the request element, e.g. `SecurityQuestions`. */
  requestType: string;
  userName: AttributeNode | undefined;
  inputLanguage: AttributeNode | undefined;
  /** The `Details` children of a SecurityQuestions request; empty for other request types. */
  details: DetailInfo[];
  /**
   * Namespace of the element that contains the request, or `undefined` when the request is the
   * root. The namespace rule needs it to tell an inherited wrong namespace from a new one.
   */
  parentNamespaceURI: string | null | undefined;
}

/**
 * Returns the requests of the document in document order. Elements whose start tag is
 * unfinished are included, so that an editor can complete and check what is already typed.
 */
export function findRequests(parsed: ParsedDocument): RequestInfo[] {
  const root = parsed.root;
  if (root === undefined) {
    return [];
  }
  if (root.localName === SECURITY_QUESTIONS) {
    return [describeRequest(root, undefined)];
  }
  if (root.localName !== WRAPPER_ELEMENT) {
    return [];
  }

  const requests: RequestInfo[] = [];
  for (const child of childElements(root)) {
    requests.push(describeRequest(child, root.namespaceURI));
  }
  return requests;
}

/**
 * Returns the requests whose element contains `offset`, its end included. A feature looks
 * into these only: reading the Details of every request would parse a large file again.
 * Requests are in text order and do not overlap, so they are searched by halving.
 */
export function requestsAt(requests: readonly RequestInfo[], offset: number): RequestInfo[] {
  return spansContaining(requests, offset, (request) => request.span);
}

/**
 * Returns the attribute with this local name and no prefix. A prefixed attribute such as
 * `x:answer` is a different attribute in XML namespaces, so it does not count.
 */
export function findAttribute(element: ElementNode, localName: string): AttributeNode | undefined {
  for (const attribute of element.attributes) {
    if (attribute.prefix === undefined && attribute.localName === localName) return attribute;
  }
  return undefined;
}

export function childElements(element: ElementNode): ElementNode[] {
  const elements: ElementNode[] = [];
  for (const child of element.children) {
    if (child.kind === 'element') {
      elements.push(child);
    }
  }
  return elements;
}

/** Describes one request element; `parentNamespaceURI` is the namespace of the element that contains it, `undefined` for the root. */
export function describeRequest(element: ElementNode, parentNamespaceURI: string | null | undefined): RequestInfo {
  const isSecurityQuestions = element.localName === SECURITY_QUESTIONS;
  const details: DetailInfo[] = [];
  if (isSecurityQuestions) {
    for (const child of childElements(element)) {
      if (child.localName === DETAILS_ELEMENT) {
        details.push({ element: child, question: findAttribute(child, 'question'), answer: findAttribute(child, 'answer') });
      }
    }
  }

  return {
    element,
    span: element.span,
    requestType: element.localName,
    userName: findAttribute(element, 'reference_user_name'),
    inputLanguage: isSecurityQuestions ? findAttribute(element, 'input_language') : undefined,
    details,
    parentNamespaceURI,
  };
}
