import { IBKR_NAMESPACE } from '../model';
import { SECURITY_QUESTIONS, WRAPPER_ELEMENT } from '../requests';
import { createProblem, type DocumentRule } from './rule';

/** Reports a root element other than AcctMgmtRequests, including a bare SecurityQuestions root. */
export const checkRootElement: DocumentRule = (parsed) => {
  const root = parsed.root;
  if (root === undefined) {
    const offset = parsed.xmlDeclaration?.span.end ?? parsed.bomLength;
    return [
      createProblem(
        'root-element',
        { start: offset, end: offset },
        `The file has no root element. A request file contains one <${WRAPPER_ELEMENT} xmlns="${IBKR_NAMESPACE}"> element with the requests inside.`,
        { data: { rootName: null, missingWrapper: false } },
      ),
    ];
  }

  if (root.localName === WRAPPER_ELEMENT) {
    return [];
  }

  if (root.localName === SECURITY_QUESTIONS) {
    return [
      createProblem(
        'root-element',
        root.nameSpan,
        `${root.name} is the root element, but IBKR expects requests inside <${WRAPPER_ELEMENT} xmlns="${IBKR_NAMESPACE}">. Wrap the request in an ${WRAPPER_ELEMENT} element.`,
        { data: { rootName: root.name, missingWrapper: true } },
      ),
    ];
  }

  return [
    createProblem(
      'root-element',
      root.nameSpan,
      `The root element is ${root.name}, not ${WRAPPER_ELEMENT}. A request file contains one <${WRAPPER_ELEMENT} xmlns="${IBKR_NAMESPACE}"> element with the requests inside.`,
      { data: { rootName: root.name, missingWrapper: false } },
    ),
  ];
};
