#!/usr/bin/env node
// Runs the pnpm version pinned in package.json ("packageManager"), so a fresh clone needs only Node and npm.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const pinned = manifest.packageManager; // e.g. "pnpm@12.4.2"
const environment = { ...process.env };
// Native addons (better-sqlite3) compile from source when no prebuilt binary can be downloaded. Point node-gyp at
// the headers installed with this Node, so it does not try to download them either.
const nodePrefix = dirname(dirname(process.execPath));
if (!environment.npm_config_nodedir && existsSync(join(nodePrefix, 'include', 'node', 'node.h'))) {
  environment.npm_config_nodedir = nodePrefix;
}
const result = spawnSync('npx', ['--yes', pinned, ...process.argv.slice(2)], { stdio: 'inherit', env: environment });
if (result.error) {
  console.error(`Could not start ${pinned}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
