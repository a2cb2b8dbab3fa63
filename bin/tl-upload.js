#!/usr/bin/env node
// tl-upload: loads the TypeScript CLI in this very process through tsx's require hook (no child
// process, so Ctrl-C and kill signals reach the CLI itself).
require('tsx/cjs');
require('../src/cli/main.ts').main();
