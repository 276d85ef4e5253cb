#!/usr/bin/env node
// Thin launcher. `npm ci` (prepare) compiles TypeScript into dist/ and bundles the CLI into
// dist/bundle/ for a faster start; without the bundle the compiled modules are used directly.
import { existsSync } from 'node:fs';

const bundled = new URL('../dist/bundle/cli.js', import.meta.url);
const { main } = await import(existsSync(bundled) ? bundled.href : '../dist/runtime/cli.js');
main(process.argv.slice(2));
