#!/usr/bin/env node
// Thin launcher: the CLI is compiled from runtime/cli.ts by `npm ci` (prepare) or `npm run build`.
import { main } from '../dist/runtime/cli.js';
main(process.argv.slice(2));
