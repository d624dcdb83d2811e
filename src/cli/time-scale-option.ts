/** `--time-scale` of the live commands: how many times faster than the wall clock live timers run. */
import type { PositiveOption } from './option-table.ts';

/** The fastest live timers run: at 1000x a 15 s keepalive fires every 15 ms. */
const timeScaleMax = 1000;

export function timeScaleOption(help: string) {
  return { kind: 'positive', max: timeScaleMax, value: 'x', help, default: '1' } as const satisfies PositiveOption;
}
