#!/usr/bin/env node
'use strict';
// Thin launcher so that `npx ibkr-am` works from a clone: the CLI itself is bundled by `npm run build`.
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write(`ibkr-am: ${cli} is missing. Run "npm run build" (or "npm ci") in ${path.dirname(__dirname)} first.\n`);
  process.exit(4);
}
require(cli);
