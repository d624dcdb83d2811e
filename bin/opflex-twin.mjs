#!/usr/bin/env node
// Runs the compiled CLI in dist/ (built by `npm install` in a checkout, shipped in the package). In a
// checkout whose dist/ is missing or older than a file in src/, it runs the sources through tsx
// instead, so it never runs stale code.
import { importCurrent } from './current-code.mjs';

// Whatever fails, the process ends with one line on stderr and exit code 1 (2 for usage errors,
// printed by main); the stack only with --debug or OPFLEX_TWIN_DEBUG=1.
const debug = process.argv.includes('--debug') || process.env.OPFLEX_TWIN_DEBUG === '1';

function fail(what, err) {
  const message = String((err && err.message) || err).split('\n')[0].replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  try {
    process.stderr.write(`opflex-twin: ${what}: ${message}\n${debug && err && err.stack ? `${err.stack}\n` : ''}`);
  } finally {
    process.exit(1);
  }
}

// Output piped into a reader that stops early (`| head`) ends the run quietly, as CLI tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    fail(`cannot write to ${stream === process.stdout ? 'stdout' : 'stderr'}`, err);
  });
}
process.on('uncaughtException', (err) => fail('unexpected failure', err));
process.on('unhandledRejection', (err) => fail('unexpected failure', err));

/** Resolves once everything written to the stream so far has been handed to the system. */
function flushed(stream) {
  return new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve())));
}

let main;
try {
  ({ main } = await importCurrent('cli/main'));
} catch (err) {
  fail('cannot start', err);
}
const code = await main(process.argv.slice(2));
// Exit even if a failed command left a socket or timer behind; output is flushed first.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
