/**
 * Lazy loaders for `openpgp` and `node-fetch`, whose type declarations are ESM. This project
 * compiles as CommonJS (esbuild bundles it to CJS), so their types are imported with
 * `resolution-mode: import` and their code is loaded at run time.
 */

import type * as OpenPgp from 'openpgp' with { 'resolution-mode': 'import' };
import type * as NodeFetch from 'node-fetch' with { 'resolution-mode': 'import' };

export type OpenPgpModule = typeof OpenPgp;
export type NodeFetchModule = typeof NodeFetch;

let openpgpModule: Promise<OpenPgpModule> | undefined;
let nodeFetchModule: Promise<NodeFetchModule> | undefined;

/**
 * Loads openpgp's CommonJS build. Its ESM build calls `createRequire(import.meta.url)`, and
 * `import.meta.url` is undefined once esbuild bundles it into this project's CommonJS output.
 * Every caller goes through here, so keys and messages all come from the same build.
 */
export function loadOpenpgp(): Promise<OpenPgpModule> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: the ESM build breaks in the CJS bundle.
  openpgpModule ??= Promise.resolve(require('openpgp') as OpenPgpModule);
  return openpgpModule;
}

/** Loads node-fetch v3, which is ESM only; tsx and esbuild both resolve the `import()`. */
export function loadNodeFetch(): Promise<NodeFetchModule> {
  nodeFetchModule ??= import('node-fetch');
  return nodeFetchModule;
}
