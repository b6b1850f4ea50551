import { IBKR_NAMESPACE, type ElementNode, type Problem } from '../model';
import { WRAPPER_ELEMENT } from '../requests';
import { createProblem, NO_PROBLEMS, type DocumentRule, type RequestRule } from './rule';

/**
 * Reports an element outside the IBCust_import namespace, compared by namespace URI so that any
 * prefix works. A child that inherits the same wrong namespace from its parent is not reported
 * again: fixing the parent's declaration fixes it too. `parentNamespaceURI` is `undefined` for
 * the root.
 */
function checkElementNamespace(element: ElementNode, parentNamespaceURI: string | null | undefined): Problem | undefined {
  const actual = element.namespaceURI;
  // The parent's URI first: an element that inherits it has the same string object, which `===`
  // matches without comparing the characters.
  if ((parentNamespaceURI !== undefined && parentNamespaceURI === actual) || actual === IBKR_NAMESPACE) {
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
    return NO_PROBLEMS;
  }
  const problem = checkElementNamespace(root, undefined);
  return problem === undefined ? NO_PROBLEMS : [problem];
};

/** Checks the request element and every element below it, in document order. */
export const checkRequestNamespace: RequestRule = (request) => {
  const element = request.element;
  let problems = addProblem(undefined, checkElementNamespace(element, request.parentNamespaceURI));
  for (const child of element.children) {
    if (child.kind === 'element') {
      problems = checkSubtreeNamespace(child, element.namespaceURI, problems);
    }
  }
  return problems ?? NO_PROBLEMS;
};

interface PendingElement {
  element: ElementNode;
  parentNamespaceURI: string | null;
}

/** Checks `element` and every element below it in document order, adding to `problems`, which is created on the first problem. */
function checkSubtreeNamespace(element: ElementNode, parentNamespaceURI: string | null, problems: Problem[] | undefined): Problem[] | undefined {
  problems = addProblem(problems, checkElementNamespace(element, parentNamespaceURI));
  if (element.children.length === 0) {
    // The usual Details element, checked without allocating a stack.
    return problems;
  }
  // An explicit stack instead of recursion, so deeply nested input cannot overflow the call stack.
  const pending: PendingElement[] = [];
  pushChildElements(pending, element);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    problems = addProblem(problems, checkElementNamespace(next.element, next.parentNamespaceURI));
    pushChildElements(pending, next.element);
  }
  return problems;
}

/** Pushes the element children of `element` in reverse order, so that they are popped in document order. */
function pushChildElements(pending: PendingElement[], element: ElementNode): void {
  const children = element.children;
  for (let index = children.length - 1; index >= 0; index--) {
    const child = children[index]!;
    if (child.kind === 'element') {
      pending.push({ element: child, parentNamespaceURI: element.namespaceURI });
    }
  }
}

/** Returns `problems` with `problem` added, if any, creating the list for the first problem. */
function addProblem(problems: Problem[] | undefined, problem: Problem | undefined): Problem[] | undefined {
  if (problem === undefined) {
    return problems;
  }
  if (problems === undefined) {
    return [problem];
  }
  problems.push(problem);
  return problems;
}
