#!/usr/bin/env node
// The Node.js side of the `tsbox` command (bin/tsbox starts it). `npm ci` (prepare) compiles the
// TypeScript into dist/ and bundles it into dist/bundle/ for a faster start; without the bundle
// the compiled modules are used directly. CommonJS on purpose: scripts/bundle.mjs says why.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const bundled = join(__dirname, '..', 'dist', 'bundle', 'cli.cjs');
const argv = process.argv.slice(2);
if (existsSync(bundled)) require(bundled).main(argv);
else import(pathToFileURL(join(__dirname, '..', 'dist', 'runtime', 'cli.js')).href).then((cli) => cli.main(argv));
