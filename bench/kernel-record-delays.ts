/**
 * Records the model's schedule offsets for the kernel suite's "model mix" workload: simulates a
 * preset (steady start), notes the delay of every event the scheduler is asked for (`after` and
 * `at`, relative to the clock then), and writes their 1024 quantiles (k + 0.5) / 1024 to
 * bench/kernel-model-delays.txt, one per line. Run once when the model's timers change:
 *
 *   node --import tsx bench/kernel-record-delays.ts [preset, default M]
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VirtualScheduler } from '../src/kernel/virtual-scheduler.ts';
import { loadPreset } from '../src/scenario/presets.ts';
import { simulate } from '../src/simulation.ts';

const QUANTILES = 1024;
const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), 'kernel-model-delays.txt');

const preset = process.argv[2] ?? 'M';
const delays: number[] = [];
let maxPending = 0;
const proto = VirtualScheduler.prototype;
const after = proto.after;
const at = proto.at;
// Both of an event's arguments passed on: a link's arrival carries its sender and the message.
proto.after = function (this: VirtualScheduler, delayMs, callback, arg, arg2) {
  delays.push(delayMs);
  maxPending = Math.max(maxPending, this.pending);
  return after.call(this, delayMs, callback, arg, arg2);
};
proto.at = function (this: VirtualScheduler, timeMs, callback, arg, arg2) {
  delays.push(timeMs - this.now());
  maxPending = Math.max(maxPending, this.pending);
  return at.call(this, timeMs, callback, arg, arg2);
};

const result = simulate({ ...loadPreset(preset), start: 'steady' });
const sorted = Float64Array.from(delays).sort();
const quantiles = Array.from({ length: QUANTILES }, (_, k) => sorted[Math.floor(((k + 0.5) / QUANTILES) * sorted.length)]!);
const share = (d: number) => `${((100 * delays.filter((x) => x === d).length) / delays.length).toFixed(1)}%`;
const header = [
  `# Schedule offsets (ms) of preset ${preset} (steady start): ${delays.length} events scheduled, ${result.stats.events} run, at most ${maxPending} pending.`,
  `# ${QUANTILES} quantiles (k + 0.5) / ${QUANTILES}; keepalive 15000 ms is ${share(15_000)} of them, 100 ms ${share(100)}, 630000 ms ${share(630_000)}.`,
  '# Written by bench/kernel-record-delays.ts; read by bench/kernel.ts and bench/native/hold.cpp.',
];
writeFileSync(OUTPUT, `${header.join('\n')}\n${quantiles.map((q) => String(q)).join('\n')}\n`);
process.stdout.write(`${OUTPUT}: ${QUANTILES} quantiles of ${delays.length} delays\n`);
