/**
 * The CPU time the load client charges to a server counts every thread of the server's process, not
 * only its main thread: a C++ opflex_server answers from I/O threads, and Node collects garbage on
 * helper threads.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { processCpuMs } from '../../src/live/process-cpu.ts';

const mainThreadCpuMs = (): number => Number(readFileSync(`/proc/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;

describe('processCpuMs', { timeout: 60_000 }, () => {
  it('counts the CPU a worker thread used while the main thread waited', async () => {
    const mainBefore = mainThreadCpuMs();
    const before = processCpuMs(process.pid);
    // The thread does a fixed amount of work (tens of ms of CPU however loaded the machine is), says so
    // and stays alive: an ended thread's time leaves /proc with it.
    const spinner = new Worker(
      "const { parentPort } = require('node:worker_threads'); let x = 0; for (let i = 0; i < 3e7; i++) x += Math.sqrt(i); parentPort.postMessage(x); setInterval(() => {}, 1000);",
      { eval: true },
    );
    try {
      await new Promise((resolve, reject) => spinner.once('message', resolve).once('error', reject));
      const processUsed = processCpuMs(process.pid) - before;
      const mainUsed = mainThreadCpuMs() - mainBefore;
      assert.ok(processUsed - mainUsed >= 5, `the process used ${processUsed} ms, its main thread ${mainUsed} ms`);
    } finally {
      await spinner.terminate();
    }
  });

  it('names the process when it cannot be read', () => {
    assert.throws(() => processCpuMs(2 ** 31 - 1), /^Error: cannot read the CPU time of process 2147483647 \(\/proc\/2147483647\/task\): ENOENT$/);
  });
});
