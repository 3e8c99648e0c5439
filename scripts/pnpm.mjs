#!/usr/bin/env node
// Runs the pnpm version pinned in package.json ("packageManager"), so a fresh clone needs only Node and npm.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const pinned = manifest.packageManager; // e.g. "pnpm@12.4.2"
const args = process.argv.slice(2);
const result = spawnSync('npx', ['--yes', pinned, ...args], { stdio: 'inherit', shell: false });
if (result.error) {
  console.error(`Could not start ${pinned}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
