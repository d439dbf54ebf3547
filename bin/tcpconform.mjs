#!/usr/bin/env node
// Launcher: runs the TypeScript CLI through tsx so users need no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
