#!/usr/bin/env node
// tl-upload: the compiled CLI (npm run build writes dist/), in this very process (no child
// process, so Ctrl-C and kill signals reach the CLI itself). No TypeScript loader: --help starts
// in well under half a second.
'use strict';
let cli;
try {
  cli = require('../dist/cli/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('tl-upload: dist/ is missing: run `npm run build` in this checkout first\n');
    process.exit(2);
  }
  throw err;
}
cli.main();
