#!/usr/bin/env node
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const built = path.join(__dirname, '..', 'dist', 'cli.cjs');
if (!fs.existsSync(built)) {
  process.stderr.write('error: Mailroom is not built yet. Run: npm run build\n');
  process.exit(1);
}
require(built);
