#!/usr/bin/env node
// Stable entry for npm's bin link (it exists before the build runs); the CLI itself is
// the compiled dist/bin/logtrace.js.
import '../dist/bin/logtrace.js';
