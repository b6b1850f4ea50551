/**
 * Namespace processing as in Namespaces in XML 1.0 (Third Edition): `xmlns` declarations,
 * scoping, and resolution of element and attribute prefixes.
 */

import type { AttributeNode, ElementNode } from '../model';
import type { ParseContext } from './context';

export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

/**
 * The namespace declarations in scope at an element, as a read-only map from prefix ('' for
 * the default namespace) to URI. The implicit `xml` prefix is not listed.
 *
 * A scope stores only its own declarations and a link to the enclosing scope. The flat map is
 * built on first use, so that deep nesting with a declaration at every level costs linear
 * time and memory while parsing.
 */
export class NamespaceScope implements ReadonlyMap<string, string> {
  private flat: Map<string, string> | undefined;

  /**
   * @param declared this element's declarations; an empty URI removes the default namespace
   */
  constructor(
    private readonly parent: NamespaceScope | undefined,
    private readonly declared: ReadonlyMap<string, string>,
  ) {}

  private table(): Map<string, string> {
    if (this.flat !== undefined) {
      return this.flat;
    }
    // Walk up without recursion to the nearest scope that is already flat, then apply the
    // declarations from the outermost scope inwards.
    const chain: NamespaceScope[] = [this];
    let scope = this.parent;
    while (scope !== undefined && scope.flat === undefined) {
      chain.push(scope);
      scope = scope.parent;
    }
    const table = new Map(scope?.flat);
    for (let i = chain.length - 1; i >= 0; i--) {
      for (const [prefix, uri] of chain[i]!.declared) {
        if (uri === '') {
          table.delete(prefix);
        } else {
          table.set(prefix, uri);
        }
      }
    }
    this.flat = table;
    return table;
  }

  get size(): number {
    return this.table().size;
  }

  get(prefix: string): string | undefined {
    return this.table().get(prefix);
  }

  has(prefix: string): boolean {
    return this.table().has(prefix);
  }

  forEach(callback: (uri: string, prefix: string, map: ReadonlyMap<string, string>) => void, thisArg?: unknown): void {
    for (const [prefix, uri] of this.table()) {
      callback.call(thisArg, uri, prefix, this);
    }
  }

  entries(): MapIterator<[string, string]> {
    return this.table().entries();
  }

  keys(): MapIterator<string> {
    return this.table().keys();
  }

  values(): MapIterator<string> {
    return this.table().values();
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.table().entries();
  }
}

interface Frame {
  outerScope: NamespaceScope;
  /** Bindings that this element replaced, restored when it closes. An `undefined` URI means the prefix was unbound. */
  replaced: Array<[prefix: string, uri: string | undefined]> | undefined;
}

/**
 * Tracks the namespace bindings while the parser walks the elements. `enterElement` resolves
 * an element's names against its own and inherited declarations. Every `enterElement` must be
 * matched by a `leaveElement` when the element ends.
 */
export class NamespaceResolver {
  private readonly bindings = new Map<string, string>();
  private readonly frames: Frame[] = [];
  private scope = new NamespaceScope(undefined, new Map());

  constructor(private readonly context: ParseContext) {}

  /**
   * Puts the resolver inside an element whose scope is `scope`, as `enterElement` would have,
   * so that a parse can resume inside that element. Leaving it returns to the empty scope.
   */
  resumeInside(scope: ReadonlyMap<string, string>): void {
    const frame: Frame = { outerScope: this.scope, replaced: [] };
    for (const [prefix, uri] of scope) {
      frame.replaced!.push([prefix, this.bindings.get(prefix)]);
      this.bindings.set(prefix, uri);
    }
    this.frames.push(frame);
    if (scope instanceof NamespaceScope) {
      this.scope = scope;
    } else {
      this.scope = new NamespaceScope(this.scope, new Map(scope));
    }
  }

  /** The scope of an element here that declares no namespaces. */
  get currentScope(): NamespaceScope {
    return this.scope;
  }

  /** The namespace of an element here whose name has no prefix. */
  get defaultNamespace(): string | null {
    return this.bindings.get('') ?? null;
  }

  enterElement(element: ElementNode): void {
    const declared = this.collectDeclarations(element);
    const frame: Frame = { outerScope: this.scope, replaced: undefined };
    if (declared !== undefined) {
      frame.replaced = [];
      for (const [prefix, uri] of declared) {
        frame.replaced.push([prefix, this.bindings.get(prefix)]);
        if (uri === '') {
          this.bindings.delete(prefix);
        } else {
          this.bindings.set(prefix, uri);
        }
      }
      this.scope = new NamespaceScope(this.scope, declared);
    }
    this.frames.push(frame);
    element.namespaces = this.scope;

    this.resolveElement(element);
    for (const attribute of element.attributes) {
      this.resolveAttribute(attribute);
    }
    this.checkExpandedAttributeNames(element);
  }

  leaveElement(): void {
    const frame = this.frames.pop();
    if (frame === undefined) {
      return;
    }
    if (frame.replaced !== undefined) {
      for (let i = frame.replaced.length - 1; i >= 0; i--) {
        const [prefix, uri] = frame.replaced[i]!;
        if (uri === undefined) {
          this.bindings.delete(prefix);
        } else {
          this.bindings.set(prefix, uri);
        }
      }
    }
    this.scope = frame.outerScope;
  }

  /** Collects the element's valid `xmlns` and `xmlns:p` declarations and reports the invalid ones. */
  private collectDeclarations(element: ElementNode): Map<string, string> | undefined {
    let declared: Map<string, string> | undefined;
    for (const attribute of element.attributes) {
      let prefix: string;
      if (attribute.name === 'xmlns') {
        prefix = '';
      } else if (attribute.prefix === 'xmlns') {
        prefix = attribute.localName;
      } else {
        continue;
      }
      if (this.isValidDeclaration(attribute, prefix)) {
        declared ??= new Map();
        declared.set(prefix, attribute.value);
      }
    }
    return declared;
  }

  private isValidDeclaration(attribute: AttributeNode, prefix: string): boolean {
    const { start, end } = attribute.nameSpan;
    const uri = attribute.value;
    if (prefix === 'xmlns') {
      this.context.error(start, end, 'The prefix xmlns is reserved and cannot be declared: remove this attribute.');
      return false;
    }
    if (prefix === 'xml') {
      if (uri !== XML_NAMESPACE) {
        this.context.error(start, end, `The prefix xml is bound to ${XML_NAMESPACE} and cannot be bound to another namespace: remove this attribute.`);
        return false;
      }
      return true;
    }
    if (uri === XML_NAMESPACE || uri === XMLNS_NAMESPACE) {
      this.context.error(start, end, `The namespace ${uri} is reserved for the prefix ${uri === XML_NAMESPACE ? 'xml' : 'xmlns'}: bind another namespace here.`);
      return false;
    }
    if (prefix !== '' && uri === '') {
      this.context.error(start, end, `Namespace prefix "${prefix}" cannot be undeclared with an empty value in XML 1.0: remove this attribute or give it a namespace URI.`);
      return false;
    }
    return true;
  }

  private resolveElement(element: ElementNode): void {
    const prefix = element.prefix;
    if (prefix === undefined) {
      element.namespaceURI = this.bindings.get('') ?? null;
      return;
    }
    const { start, end } = element.nameSpan;
    if (prefix === 'xmlns') {
      this.context.error(start, end, `Element <${element.name}> uses the reserved prefix xmlns: rename the element.`);
      element.namespaceURI = null;
      return;
    }
    const uri = prefix === 'xml' ? XML_NAMESPACE : this.bindings.get(prefix);
    if (uri === undefined) {
      this.context.error(start, end, `Namespace prefix "${prefix}" of <${element.name}> is not declared: add xmlns:${prefix}="..." to this element or an ancestor.`);
      element.namespaceURI = null;
      return;
    }
    element.namespaceURI = uri;
  }

  private resolveAttribute(attribute: AttributeNode): void {
    const prefix = attribute.prefix;
    if (prefix === undefined) {
      attribute.namespaceURI = null;
      return;
    }
    if (prefix === 'xmlns') {
      attribute.namespaceURI = XMLNS_NAMESPACE;
      return;
    }
    const uri = prefix === 'xml' ? XML_NAMESPACE : this.bindings.get(prefix);
    if (uri === undefined) {
      const { start, end } = attribute.nameSpan;
      this.context.error(start, end, `Namespace prefix "${prefix}" of attribute "${attribute.name}" is not declared: add xmlns:${prefix}="..." to this element or an ancestor.`);
      attribute.namespaceURI = null;
      return;
    }
    attribute.namespaceURI = uri;
  }

  /**
   * Reports two prefixed attributes that differ in prefix but resolve to the same namespace
   * and local name. Attributes with the same qualified name were reported by the start tag.
   */
  private checkExpandedAttributeNames(element: ElementNode): void {
    let seen: Map<string, string> | undefined;
    for (const attribute of element.attributes) {
      if (attribute.prefix === undefined || attribute.namespaceURI === null) {
        continue;
      }
      seen ??= new Map();
      // A space cannot occur in a local name, so the key is unambiguous.
      const key = `${attribute.localName} ${attribute.namespaceURI}`;
      const earlierName = seen.get(key);
      if (earlierName === undefined) {
        seen.set(key, attribute.name);
      } else if (earlierName !== attribute.name) {
        const { start, end } = attribute.nameSpan;
        this.context.error(start, end, `Attribute "${attribute.name}" has the same namespace and local name as "${earlierName}" in <${element.name}>: remove one of them.`);
      }
    }
  }
}
