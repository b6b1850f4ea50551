/**
 * The few DOM members that the functions run in the page use. The project compiles without the
 * DOM library (it is Node code), so these stand in for `Element` and `HTMLElement` there.
 */

export interface DomElement {
  readonly textContent: string | null;
  readonly className: string;
  readonly offsetHeight: number;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}
