/**
 * Node.js options that the extension starts the language server with, and the benchmark too.
 *
 * A batch file of a few MB makes a new text of that size on every keystroke, and V8 frees old
 * texts only in a full collection. With V8's default heap growth, dozens of them pile up before
 * one runs. A heap that grows by 30 % between full collections frees them within a few edits,
 * and young-generation semi-spaces of 4 MB, smaller than V8's default, keep the memory of a
 * check close to what it keeps. BENCHMARKS.md shows the server's peak memory with these options.
 */
export const SERVER_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=30'];
