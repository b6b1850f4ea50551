import packageJson from '../../package.json';

/** The version in package.json, bundled into dist/cli.js by esbuild. */
export const VERSION: string = packageJson.version;
