#!/usr/bin/env node
// The `fasterapi` command. The CLI itself is TypeScript in src/cli/, compiled to
// dist/ by `npm run build`; main() resolves with the exit code instead of exiting, so
// it can be called from tests; this shim is the only place that ends the process.
import { main } from '../dist/src/cli/main.js';

const code = await main({ args: process.argv.slice(2) });
process.exit(code);
