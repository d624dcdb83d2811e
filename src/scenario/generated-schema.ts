/**
 * The `generated:` section of a scenario: sizes from which the loader expands a whole fabric, policy
 * and node population (src/scenario/generated.ts), so a fabric-scale scenario stays a few lines long.
 *
 * Every key is optional; the defaults below are listed in docs/scenario-reference.md. The section is
 * normalised into a `GeneratedSpec` with every default resolved except `seed`, which defaults to the
 * scenario's seed and is therefore resolved by the whole-scenario transform.
 */
import { z } from 'zod';

/** Most pods one `generated:` section may expand to (pod addresses come from 10.64.0.0 upward). */
const MAX_GENERATED_PODS = 2_000_000;
/** Most generated nodes: their infra IPs come from 10.0.0.0/16. */
const MAX_GENERATED_NODES = 50_000;

/** The `generated:` section with every default applied. */
export interface GeneratedSpec {
  /** Seed of the expansion; undefined: the scenario's seed. */
  seed: number | undefined;
  leafPairs: number;
  /** Total generated hypervisors (from `hypervisors`, or `leafPairs` x `hypervisorsPerPair`). */
  hypervisors: number;
  nodes: number;
  podsPerNode: number;
  epgs: number;
  bridgeDomains: number;
  vrfs: number;
  contracts: number;
  filters: number;
  epgsPerNode: number;
  locality: number;
}

const count = (max: number, description: string) => z.int().min(0).max(max).meta({ description });

export const generatedSchema = z
  .strictObject({
    seed: z.int().min(0).optional().meta({ description: "Seed of the expansion (default: the scenario's seed)." }),
    leafPairs: count(1000, 'Generated vPC leaf pairs pair-1.. (leaves leaf-101.., TEPs from 10.0.80.64 upward). Default 2.').default(2),
    hypervisorsPerPair: z.int().min(1).max(1000).optional().meta({ description: 'Hypervisors per generated leaf pair (default 2); not with `hypervisors`.' }),
    hypervisors: count(50_000, 'Generated hypervisors in total, spread evenly over the leaf pairs; not with `hypervisorsPerPair`.').optional(),
    nodes: count(MAX_GENERATED_NODES, 'Generated node VMs node-1.. (default: one per generated hypervisor), spread evenly over the hypervisors.').optional(),
    podsPerNode: count(1000, 'Pods on each generated node (default 10).').default(10),
    epgs: count(20_000, 'Generated EPGs (default 10). The first, "infra-1", has a pod on every node and provides the shared "kube-dns" contract.').default(10),
    bridgeDomains: count(1024, 'Generated bridge domains (default: one per 20 EPGs, at least 1 when EPGs are generated).').optional(),
    vrfs: count(64, 'Generated VRFs (default 1 when bridge domains are generated).').optional(),
    contracts: count(20_000, 'Generated contracts, the shared "kube-dns" included (default: half the EPGs, at least 2).').optional(),
    filters: count(1024, 'Generated filters (default 16 when contracts are generated).').optional(),
    epgsPerNode: z.int().min(1).max(64).default(4).meta({ description: "Distinct EPGs a generated node's pods are in (default 4)." }),
    locality: z
      .number()
      .min(0)
      .max(1)
      .default(0.8)
      .meta({ description: "0..1: the share of a node's EPGs drawn from those homed on its leaf pair (the rest from all EPGs). Default 0.8." }),
  })
  .transform((g, ctx): GeneratedSpec => {
    if (g.hypervisors !== undefined && g.hypervisorsPerPair !== undefined) {
      ctx.issues.push({ code: 'custom', message: 'give either hypervisors (a total) or hypervisorsPerPair, not both', input: g.hypervisors, path: ['hypervisors'] });
    }
    const hypervisors = g.hypervisors ?? g.leafPairs * (g.hypervisorsPerPair ?? 2);
    if (hypervisors > 50_000) {
      ctx.issues.push({ code: 'custom', message: `${hypervisors} hypervisors is more than the 50000 a generated fabric may have`, input: g.hypervisorsPerPair, path: ['hypervisorsPerPair'] });
    }
    const nodes = g.nodes ?? Math.min(hypervisors, MAX_GENERATED_NODES);
    const pods = nodes * g.podsPerNode;
    if (pods > MAX_GENERATED_PODS) {
      ctx.issues.push({
        code: 'custom',
        message: `nodes x podsPerNode is ${pods}, more than the ${MAX_GENERATED_PODS} pods a generated section may have`,
        input: g.podsPerNode,
        path: ['podsPerNode'],
      });
    }
    const bridgeDomains = g.bridgeDomains ?? (g.epgs > 0 ? Math.max(1, Math.ceil(g.epgs / 20)) : 0);
    const contracts = g.contracts ?? (g.epgs > 0 ? Math.max(2, Math.ceil(g.epgs / 2)) : 0);
    return {
      seed: g.seed,
      leafPairs: g.leafPairs,
      hypervisors,
      nodes,
      podsPerNode: g.podsPerNode,
      epgs: g.epgs,
      bridgeDomains,
      vrfs: g.vrfs ?? (bridgeDomains > 0 ? 1 : 0),
      contracts,
      filters: g.filters ?? (contracts > 0 ? 16 : 0),
      epgsPerNode: g.epgsPerNode,
      locality: g.locality,
    };
  });

export type GeneratedInput = z.input<typeof generatedSchema>;
