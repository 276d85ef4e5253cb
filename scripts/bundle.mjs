#!/usr/bin/env node
// Bundles the compiled CLI and the supervisor Worker into dist/bundle/ (run after tsc by
// `npm run build` / `npm ci`). Loading one bundle instead of ~60 ES modules and their
// dependencies' files takes a third less time, and start-up is on every `tsbox run`.
// The Worker is a CommonJS bundle: a Worker that loads an ES module first sets up Node's ES
// module loader in its thread, ~25 M instructions (callgrind) of every start-up.
// koffi stays external: it loads a native addon.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Chunk names carry content hashes: start clean so old chunks do not pile up.
rmSync(join(root, 'dist/bundle'), { recursive: true, force: true });
await build({
  entryPoints: { cli: join(root, 'dist/runtime/cli.js') },
  outdir: join(root, 'dist/bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['koffi'],
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __tsboxRequire } from 'node:module'; const require = __tsboxRequire(import.meta.url);" },
  logLevel: 'warning',
});
await build({
  entryPoints: [join(root, 'dist/runtime/worker.js')],
  outfile: join(root, 'dist/bundle/worker.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['koffi'],
  // The sources are ES modules that locate files through import.meta.url.
  define: { 'import.meta.url': '__tsboxModuleUrl' },
  banner: { js: "const __tsboxModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
