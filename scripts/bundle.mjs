#!/usr/bin/env node
// Bundles the compiled CLI and the supervisor Worker into dist/bundle/ (run after tsc by
// `npm run build` / `npm ci`). Loading one bundle instead of ~60 ES modules and their
// dependencies' files takes a third less time, and start-up is on every `tsbox run`.
//   cli.cjs     the entry bin/tsbox.cjs loads: `tsbox run` whole, CommonJS (see below); the
//               other subcommands and a policy's first validation are loaded from...
//   commands.js, load.js (+ chunks)  ...ES module bundles split by use, imported on demand: the
//               option parser, YAML and zod are never parsed by a plain `tsbox run` whose plan
//               is cached.
//   worker.cjs  the supervisor Worker.
// `tsbox run` and the Worker are CommonJS: an ES module makes Node set up its ES module loader
// first (~25 M instructions in a Worker, callgrind) and import builtins through facades that
// load what their getters name (node:fs loads its streams): ~14 ms of every start-up together.
// koffi stays external: it loads a native addon.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Chunk names carry content hashes: start clean so old chunks do not pile up.
rmSync(join(root, 'dist/bundle'), { recursive: true, force: true });
await build({
  entryPoints: { commands: join(root, 'dist/runtime/commands.js'), load: join(root, 'dist/policy/load.js') },
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
// In cli.cjs the on-demand imports (commands.js from cli.js, load.js from the plan cache and
// `tsbox check`) stay imports, of the ES module bundles beside it.
const onDemand = {
  name: 'on-demand',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\/(.*\/)?(commands|load)\.js$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: `./${args.path.replace(/^.*\//, '')}`, external: true } : undefined);
  },
};
// The CommonJS bundles. The sources are ES modules that locate files through import.meta.url.
const commonJs = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['koffi'],
  define: { 'import.meta.url': '__tsboxModuleUrl' },
  banner: { js: "const __tsboxModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};
await build({ ...commonJs, entryPoints: [join(root, 'dist/runtime/cli.js')], outfile: join(root, 'dist/bundle/cli.cjs'), plugins: [onDemand] });
await build({ ...commonJs, entryPoints: [join(root, 'dist/runtime/worker.js')], outfile: join(root, 'dist/bundle/worker.cjs') });
