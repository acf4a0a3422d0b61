#!/usr/bin/env node
// The medbill command. The TypeScript is compiled to dist/ by `npm ci` (the prepare script) or `npm run build`.
import { run } from '../dist/src/cli.js';

await run();
