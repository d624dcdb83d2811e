#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so a checkout needs no build step.
import { register } from 'tsx/esm/api';

// Output piped into a reader that stops early (`| head`) ends the run quietly, as CLI tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
