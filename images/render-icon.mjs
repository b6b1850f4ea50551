// Renders images/icon.svg to images/icon.png (128x128 pixels, the minimum size for an extension icon in the VS Code manifest reference) with
// Chromium through playwright-core, so that no image tool beyond the test browser is needed.
// Usage: node images/render-icon.mjs [path/to/chromium]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const here = import.meta.dirname;
const executablePath = process.argv[2] ?? process.env.IBKR_CHROMIUM ?? '/usr/bin/chromium';
const svg = readFileSync(path.join(here, 'icon.svg'), 'utf8');

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: path.join(here, 'icon.png'), omitBackground: true });
} finally {
  await browser.close();
}
process.stdout.write(`Wrote ${path.join(here, 'icon.png')}\n`);
