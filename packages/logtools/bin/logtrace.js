#!/usr/bin/env node
// Stable entry for npm's bin link (it exists before the build runs); the CLI itself is
// dist/bundle/logtrace.js, the compiled dist/bin/logtrace.js bundled into one module
// (scripts/bundle.mjs).
import '../dist/bundle/logtrace.js';
