/**
 * The fault menu as scenario data: `faultSchedule:` is a timed list of faults, each with a time, a
 * kind, its target (a node, a leaf, a node and a leaf, a hypervisor) and a duration (`for`) or a
 * magnitude (`delay`). The environment injects them (src/check/fault-injector.ts); the explorer
 * draws them from a seed (src/check/schedule-generator.ts). docs/scenario-reference.md describes
 * each kind and the modelled reaction.
 *
 * The schema is built from schema.ts's duration primitive (passed in, so the two files do not import
 * each other); targets are checked against the fabric with the scenario's other cross-references
 * (cross-references.ts).
 */
import { z } from 'zod';
import type { FaultEntry, FaultKind } from './types.ts';
import { isRecord } from '../json-fields.ts';

/** Which target keys each kind needs, and whether it takes `for` and `delay`. */
export const FAULT_KINDS = {
  'session-reset': { targets: ['node', 'leaf'], for: false, delay: false },
  partition: { targets: ['node', 'leaf'], for: true, delay: false },
  'message-delay': { targets: ['node', 'leaf'], for: true, delay: true },
  'message-duplicate': { targets: ['node', 'leaf'], for: true, delay: false },
  'leaf-reload': { targets: ['leaf'], for: true, delay: false },
  'proxy-restart': { targets: ['leaf'], for: true, delay: false },
  'apic-slow': { targets: [], for: true, delay: true },
  'apic-unreachable': { targets: [], for: true, delay: false },
  'coop-delay': { targets: [], for: true, delay: true },
  'coop-loss': { targets: [], for: true, delay: false },
  'garp-lost': { targets: ['node'], for: true, delay: false },
  'platform-config-delete-lost': { targets: ['node'], for: true, delay: false },
  'platform-config-delete-late': { targets: ['node'], for: true, delay: true },
  'odev-late': { targets: ['node'], for: true, delay: true },
  'agent-restart': { targets: ['node'], for: true, delay: false },
  'host-agent-restart': { targets: ['node'], for: false, delay: false },
  'controller-restart': { targets: [], for: true, delay: false },
  'ping-pong': { targets: ['node'], for: false, delay: false },
  'evacuation-overlap': { targets: ['hypervisor'], for: false, delay: false },
} as const satisfies Record<FaultKind, { targets: readonly ('node' | 'leaf' | 'hypervisor')[]; for: boolean; delay: boolean }>;

/** Whether a word names a fault kind. */
export function isFaultKind(word: string): word is FaultKind {
  return Object.hasOwn(FAULT_KINDS, word);
}

export const FAULT_KIND_NAMES: readonly FaultKind[] = Object.keys(FAULT_KINDS).filter(isFaultKind);

/** Longest `for` or `delay` a fault entry may have: a fault longer than a day is a different scenario. */
export const faultDurationMaxMs = 86_400_000;
/** Most entries in one schedule (the explorer draws a handful; hand-written files need few more). */
const faultEntriesMax = 10_000;

type DurationFactory = (description: string) => z.ZodType<number, unknown>;

/** The schema of `faultSchedule:`, given schema.ts's duration primitive. */
export function faultScheduleSchema(duration: DurationFactory) {
  const bounded = (description: string) =>
    duration(description).refine((ms) => ms <= faultDurationMaxMs, { error: `must be at most ${faultDurationMaxMs / 3_600_000} hours` });
  const entry = z
    .strictObject({
      at: duration('When the fault starts, from the start of the run.'),
      kind: z.enum(FAULT_KIND_NAMES, {
        error: (iss) => `expected a fault kind (${FAULT_KIND_NAMES.join(', ')}), got ${JSON.stringify(iss.input)}`,
      }),
      node: z.string().min(1).optional().meta({ description: 'Node (its agent, host-agent or VM) the fault targets.' }),
      leaf: z.string().min(1).optional().meta({ description: 'Leaf the fault targets.' }),
      hypervisor: z.string().min(1).optional().meta({ description: 'Hypervisor (evacuation-overlap).' }),
      side: z.enum(['agent', 'leaf']).optional().meta({ description: 'session-reset: which end closes the session (default agent).' }),
      mode: z.enum(['hold', 'drop']).optional().meta({ description: 'partition: messages held until it heals, or lost (default hold).' }),
      for: bounded('How long the fault lasts (a boot time for leaf-reload, a down time for restarts).').optional(),
      delay: bounded('Magnitude: the extra latency the fault adds.').optional(),
    })
    // Runs even when other entries (or other keys of the file) have problems, so every problem is
    // reported at once; an entry whose own shape is wrong is left to those issues.
    .check(z.superRefine((e: unknown, ctx) => {
      if (!isRecord(e)) return;
      const kind = e.kind;
      if (typeof kind !== 'string' || !isFaultKind(kind)) return;
      const spec = FAULT_KINDS[kind];
      for (const key of ['node', 'leaf', 'hypervisor'] as const) {
        const wanted = spec.targets.some((target) => target === key);
        if (wanted && e[key] === undefined) ctx.addIssue({ code: 'custom', message: `${kind} needs a ${key}`, path: [key], input: undefined });
        if (!wanted && e[key] !== undefined) ctx.addIssue({ code: 'custom', message: `${kind} takes no ${key}`, path: [key], input: e[key] });
      }
      if (spec.for && e.for === undefined) ctx.addIssue({ code: 'custom', message: `${kind} needs a duration ("for")`, path: ['for'], input: undefined });
      if (!spec.for && e.for !== undefined) ctx.addIssue({ code: 'custom', message: `${kind} takes no duration ("for")`, path: ['for'], input: e.for });
      if (spec.delay && e.delay === undefined) ctx.addIssue({ code: 'custom', message: `${kind} needs a magnitude ("delay")`, path: ['delay'], input: undefined });
      if (!spec.delay && e.delay !== undefined) ctx.addIssue({ code: 'custom', message: `${kind} takes no magnitude ("delay")`, path: ['delay'], input: e.delay });
      if (e.side !== undefined && kind !== 'session-reset') ctx.addIssue({ code: 'custom', message: `only session-reset takes a side`, path: ['side'], input: e.side });
      if (e.mode !== undefined && kind !== 'partition') ctx.addIssue({ code: 'custom', message: `only partition takes a mode`, path: ['mode'], input: e.mode });
    }, { when: () => true }))
    .transform((e): FaultEntry => {
      const out: FaultEntry = { atMs: e.at, kind: e.kind };
      if (e.node !== undefined) out.node = e.node;
      if (e.leaf !== undefined) out.leaf = e.leaf;
      if (e.hypervisor !== undefined) out.hypervisor = e.hypervisor;
      if (e.kind === 'session-reset') out.side = e.side ?? 'agent';
      if (e.kind === 'partition') out.mode = e.mode ?? 'hold';
      if (e.for !== undefined) out.forMs = e.for;
      if (e.delay !== undefined) out.delayMs = e.delay;
      return out;
    });
  return z
    .array(entry)
    .max(faultEntriesMax)
    .default([])
    .meta({ description: 'Faults injected at given times: the fault menu (docs/scenario-reference.md, "faultSchedule").' });
}
