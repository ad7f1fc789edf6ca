#!/usr/bin/env node
require('../dist/runner/codex-command-runner.js').main(process.argv.slice(2));
