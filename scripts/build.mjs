#!/usr/bin/env node
// Compiles src/ to dist/ (tsc, relative .ts imports rewritten to .js) and copies the files the code
// reads at run time (built-in scenarios, the HTML report's script and style) to the same places
// under dist/, so every `new URL(..., import.meta.url)` finds them in both layouts.
// Types are checked by `npm test`, not here: the build only emits.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
/** Written last: bin/opflex-twin.mjs runs dist/ only when this is newer than every file in src/. */
const stamp = join(dist, 'build-stamp');

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write(`build: tsc -p tsconfig.build.json failed (exit ${result.status ?? result.signal})\n`);
  process.exit(1);
}
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = join(entry.parentPath ?? entry.path, entry.name);
  const to = join(dist, relative(src, from));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}
writeFileSync(stamp, '');
