#!/usr/bin/env node
// The `pacscope` command. The sources are TypeScript run through tsx's loader,
// so a fresh clone needs no build step (npm start / npm test stay one command).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
