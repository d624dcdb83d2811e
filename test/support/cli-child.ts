/** The CLI (bin/opflex-twin.mjs) as a child process, its output collected as it comes. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../transport/socket-helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/opflex-twin.mjs', import.meta.url));

export class CliChild {
  readonly process: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;

  constructor(argv: string[]) {
    this.process = spawn(process.execPath, [BIN, ...argv], { env: { ...process.env, OPFLEX_TWIN_DEBUG: '' } });
    this.process.stdout.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.process.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) =>
      this.process.on('close', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  /** Waits for `pattern` on stdout; fails naming `what` and the output if the process ends first. */
  async waitForOutput(pattern: RegExp, what: string, timeoutMs: number): Promise<RegExpExecArray> {
    await waitFor(() => pattern.test(this.stdout) || this.exitCode !== undefined, what, timeoutMs);
    const found = pattern.exec(this.stdout);
    assert.ok(found, `${what}: the process ended (code ${this.exitCode}) with stdout ${JSON.stringify(this.stdout)} stderr ${JSON.stringify(this.stderr)}`);
    return found;
  }

  /** SIGTERM, then the exit code (a child that already ended gives its code). */
  async stop(): Promise<number | null> {
    if (this.exitCode === undefined) this.process.kill('SIGTERM');
    return this.exited;
  }
}
