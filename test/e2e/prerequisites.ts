/**
 * The tools the end-to-end tests need beyond node_modules: code-server (VS Code from the npm
 * registry, installed into .cache/ by scripts/install-code-server.sh) and a Chromium for
 * playwright-core. Missing tools fail the tests with the command that installs them, unless
 * IBKR_SKIP_E2E=1 is set to skip the tier.
 */

import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CACHE_DIR = process.env.IBKR_CACHE_DIR ?? path.join(ROOT, '.cache');

export interface Tools {
  codeServer: string;
  chromium: string;
}

/** The reason to skip the end-to-end tests, or false to run them. */
export const skipReason: string | false = process.env.IBKR_SKIP_E2E === '1' ? 'IBKR_SKIP_E2E=1 is set' : false;

/** Finds code-server and Chromium, or throws an error that names the commands that install them. */
export function findTools(): Tools {
  const problems: string[] = [];

  const codeServer = process.env.IBKR_CODE_SERVER ?? path.join(CACHE_DIR, 'code-server', 'node_modules', '.bin', 'code-server');
  if (!isExecutable(codeServer)) {
    problems.push(
      `code-server was not found at ${codeServer}. Install it with "bash scripts/install-code-server.sh" ` +
        '(needs the Debian packages libkrb5-dev and ripgrep), or set IBKR_CODE_SERVER to its path.',
    );
  }

  const candidates = process.env.IBKR_CHROMIUM !== undefined ? [process.env.IBKR_CHROMIUM] : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const chromium = candidates.find(isExecutable);
  if (chromium === undefined) {
    problems.push(`Chromium was not found at ${candidates.join(' or ')}. Install it with "apt-get install -y chromium", or set IBKR_CHROMIUM to its path.`);
  }

  if (problems.length > 0 || chromium === undefined) {
    throw new Error(
      `The end-to-end tests cannot run:\n- ${problems.join('\n- ')}\n` +
        '.ci/run installs both. To run the other tiers without them, set IBKR_SKIP_E2E=1 or use "npm run test:fast".',
    );
  }
  return { codeServer, chromium };
}

function isExecutable(file: string): boolean {
  if (!existsSync(file)) {
    return false;
  }
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
