#!/usr/bin/env node
// The CLI bundled by `npm run build` (scripts/build-cli-bundle.ts): a few files to load instead of the
// several hundred of dist/ and its dependencies. dist/main.js is the same program unbundled.
import '../dist/bundle/main.js';
