import { IBKR_NAMESPACE, type ElementNode, type Problem } from '../model';
import { childElements, WRAPPER_ELEMENT } from '../requests';
import { createProblem, type DocumentRule, type RequestRule } from './rule';

/**
 * Reports an element outside the IBCust_import namespace, compared by namespace URI so that any
 * prefix works. A child that inherits the same wrong namespace from its parent is not reported
 * again: fixing the parent's declaration fixes it too. `parentNamespaceURI` is `undefined` for
 * the root.
 */
function checkElementNamespace(element: ElementNode, parentNamespaceURI: string | null | undefined): Problem | undefined {
  const actual = element.namespaceURI;
  if (actual === IBKR_NAMESPACE || (parentNamespaceURI !== undefined && parentNamespaceURI === actual)) {
    return undefined;
  }

  const data = { expected: IBKR_NAMESPACE, actual, prefix: element.prefix ?? null };
  let message: string;
  if (element.prefix !== undefined && !element.namespaces.has(element.prefix)) {
    message = `The prefix ${element.prefix} of element ${element.name} is not declared. Declare xmlns:${element.prefix}="${IBKR_NAMESPACE}", or write ${element.localName} without a prefix.`;
  } else if (actual === null) {
    const where = parentNamespaceURI === undefined ? 'this element' : `this element or to ${WRAPPER_ELEMENT}`;
    message = `Element ${element.name} is in no namespace, but IBKR expects the namespace ${IBKR_NAMESPACE}. Add xmlns="${IBKR_NAMESPACE}" to ${where}.`;
  } else {
    message = `Element ${element.name} is in the namespace ${actual}, but IBKR expects ${IBKR_NAMESPACE}. Change the namespace declaration to ${IBKR_NAMESPACE}.`;
  }
  return createProblem('namespace', element.nameSpan, message, { data });
}

/** Checks the AcctMgmtRequests root; the requests inside are checked by `checkRequestNamespace`. */
export const checkWrapperNamespace: DocumentRule = (parsed) => {
  const root = parsed.root;
  if (root === undefined || root.localName !== WRAPPER_ELEMENT) {
    return [];
  }
  const problem = checkElementNamespace(root, undefined);
  return problem === undefined ? [] : [problem];
};

/** Checks the request element and every element below it, in document order. */
export const checkRequestNamespace: RequestRule = (request) => {
  const problems: Problem[] = [];
  // An explicit stack instead of recursion, so deeply nested input cannot overflow the call stack.
  const pending: { element: ElementNode; parentNamespaceURI: string | null | undefined }[] = [
    { element: request.element, parentNamespaceURI: request.parentNamespaceURI },
  ];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const problem = checkElementNamespace(next.element, next.parentNamespaceURI);
    if (problem !== undefined) {
      problems.push(problem);
    }
    const children = childElements(next.element);
    for (let index = children.length - 1; index >= 0; index--) {
      const child = children[index];
      if (child !== undefined) {
        pending.push({ element: child, parentNamespaceURI: next.element.namespaceURI });
      }
    }
  }
  return problems;
};
