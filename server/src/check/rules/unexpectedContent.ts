import type { ChildNode, ElementNode, Problem, Span, TextNode } from '../model';
import { DETAILS_ELEMENT, findAttribute, SECURITY_QUESTIONS, WRAPPER_ELEMENT } from '../requests';
import { createProblem, NO_PROBLEMS, type DocumentRule, type RequestRule } from './rule';

type Container = typeof WRAPPER_ELEMENT | typeof SECURITY_QUESTIONS | typeof DETAILS_ELEMENT;

function isXmlWhiteSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
}

/** True for CDATA, and for text with a character other than XML white space. */
export function isContentText(node: TextNode): boolean {
  if (node.kind === 'cdata') {
    return true;
  }
  // Only XML white space (space, tab, CR, LF) is not content; other Unicode spaces such as U+00A0 are.
  const value = node.value;
  for (let index = 0; index < value.length; index++) {
    if (!isXmlWhiteSpace(value.charCodeAt(index))) {
      return true;
    }
  }
  return false;
}

/** Returns the span of a text node without its leading and trailing white space; a CDATA section keeps its whole span. */
function trimmedSpan(node: TextNode, text: string): Span {
  if (node.kind === 'cdata') {
    return node.span;
  }
  let start = node.span.start;
  let end = node.span.end;
  while (start < end && isXmlWhiteSpace(text.charCodeAt(start))) {
    start++;
  }
  while (end > start && isXmlWhiteSpace(text.charCodeAt(end - 1))) {
    end--;
  }
  return start < end ? { start, end } : node.span;
}

function describeText(node: TextNode): string {
  return node.kind === 'cdata' ? 'a CDATA section' : 'text';
}

/** Quick-fix data: where the content is and which element contains it. Never the content itself. */
function contentData(container: ElementNode, containerKind: Container, node: ChildNode): Record<string, unknown> {
  const data: Record<string, unknown> = {
    container: containerKind,
    containerNameSpan: container.nameSpan,
    content: node.kind,
    contentSpan: node.span,
  };
  if (containerKind === DETAILS_ELEMENT) {
    data.hasAnswerAttribute = findAttribute(container, 'answer') !== undefined;
  }
  return data;
}

/** Adds a problem for each text or CDATA child that is not white space to `problems`, which is created on the first problem. */
function checkTextChildren(
  problems: Problem[] | undefined,
  element: ElementNode,
  containerKind: Container,
  text: string,
  advice: string,
  children: readonly ChildNode[] = element.children,
): Problem[] | undefined {
  for (const child of children) {
    if ((child.kind === 'text' || child.kind === 'cdata') && isContentText(child)) {
      (problems ??= []).push(
        createProblem('unexpected-content', trimmedSpan(child, text), `${element.name} contains ${describeText(child)}, which IBKR does not accept there. ${advice}`, {
          data: contentData(element, containerKind, child),
        }),
      );
    }
  }
  return problems;
}

/** Reports text or CDATA directly inside AcctMgmtRequests; element children there are requests. */
export const checkWrapperContent: DocumentRule = (parsed, _requests, context) => {
  const root = parsed.root;
  if (root === undefined || root.localName !== WRAPPER_ELEMENT) {
    return NO_PROBLEMS;
  }
  const advice = 'Remove it: only request elements such as SecurityQuestions belong inside.';
  return checkTextChildren(undefined, root, WRAPPER_ELEMENT, parsed.text, advice, context.rootContent ?? root.children) ?? NO_PROBLEMS;
};

/**
 * Reports text, CDATA and elements other than Details inside SecurityQuestions, and any content
 * inside Details. Comments and processing instructions are allowed everywhere.
 */
export const checkSecurityQuestionsContent: RequestRule = (request, context) => {
  const element = request.element;
  let problems = checkTextChildren(undefined, element, SECURITY_QUESTIONS, context.text, 'Remove it: only Details elements belong inside.');

  for (const child of element.children) {
    if (child.kind !== 'element' || child.localName === DETAILS_ELEMENT) {
      continue;
    }
    const hint = child.localName.toLowerCase() === DETAILS_ELEMENT.toLowerCase() ? ` XML names are case-sensitive: write ${DETAILS_ELEMENT}.` : '';
    (problems ??= []).push(
      createProblem('unexpected-content', child.nameSpan, `Element ${child.name} is not allowed inside ${element.name}. Only ${DETAILS_ELEMENT} elements belong there.${hint}`, {
        data: contentData(element, SECURITY_QUESTIONS, child),
      }),
    );
  }

  for (const detail of request.details) {
    problems = checkTextChildren(problems, detail.element, DETAILS_ELEMENT, context.text, 'Details takes no content: write the answer in its answer attribute and remove the text.');
    for (const child of detail.element.children) {
      if (child.kind === 'element') {
        (problems ??= []).push(
          createProblem('unexpected-content', child.nameSpan, `Element ${child.name} is not allowed inside ${detail.element.name}. Details takes no content: write the question and the answer as attributes.`, {
            data: contentData(detail.element, DETAILS_ELEMENT, child),
          }),
        );
      }
    }
  }
  return problems ?? NO_PROBLEMS;
};
