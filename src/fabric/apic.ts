/**
 * APIC, the policy repository of record: serves policy subtrees to leaves with a fetch latency, and
 * holds the opflexODev objects that the aci-containers controller watches through its event stream.
 */
import type { RandomStream } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/scheduler.ts';
import type { Trace } from '../kernel/trace.ts';
import type { ManagedObject } from '../model/managed-object.ts';
import type { ObjectStore } from '../model/object-store.ts';
import { validatePolicyUpdate } from '../model/policy-validation.ts';
import type { Distribution } from '../scenario/types.ts';
import type { Odev } from './odev.ts';
import type { PolicyUpdateItem } from '../opflex/message.ts';
import type { PolicySource } from './policy-cache.ts';

type OdevStatus = 'created' | 'modified' | 'deleted';

export interface OdevEvent {
  status: OdevStatus;
  odev: Readonly<Odev>;
}

type OdevListener = (event: OdevEvent) => void;

/** A change to the policy universe, in policy_update form. */
type PolicyChangeListener = (update: PolicyUpdateItem) => void;

export class Apic implements PolicySource {
  /**
   * Snapshots of what the leaves reported, never changed in place (an update stores a new one): handed
   * out as they are, to the controller's cache, its events and resyncs, instead of a copy each. Not
   * Object.freeze'd: a frozen copy of an ODev takes about four times the memory (dictionary mode).
   */
  private readonly odevs = new Map<string, Readonly<Odev>>();
  private readonly listeners: OdevListener[] = [];
  private readonly policyListeners: PolicyChangeListener[] = [];

  constructor(
    private readonly scheduler: Scheduler,
    private readonly trace: Trace,
    private readonly random: RandomStream,
    readonly policy: ObjectStore,
    private readonly fetchLatency: Distribution,
  ) {}

  fetch(uri: string, done: (objects: ManagedObject[]) => void): void {
    this.scheduler.after(this.random.sample(this.fetchLatency), () => done(this.policy.subtree(uri)));
  }

  /** Leaves holding policy subscribe to changes of the universe. */
  subscribePolicy(listener: PolicyChangeListener): void {
    this.policyListeners.push(listener);
  }

  /**
   * Changes the policy universe (an operator edits policy): replace, merge_children and delete, in
   * that order, as a policy_update carries them. Listeners hear the same update. The change is
   * checked whole against the universe first (PolicyValidationError): one that would break the tree
   * changes nothing.
   */
  updatePolicy(update: PolicyUpdateItem): void {
    validatePolicyUpdate(update, 'the APIC policy change', { store: this.policy, keepObjects: true });
    for (const mo of update.replace) this.policy.replace(mo);
    for (const mo of update.merge_children) this.policy.mergeChildren(mo);
    for (const d of update.delete) this.policy.delete(d.uri);
    this.trace.emit('apic', 'policy-changed', {
      replaced: update.replace.length,
      merged: update.merge_children.length,
      deleted: update.delete.length,
    });
    for (const l of this.policyListeners) l(update);
  }

  /** Current opflexODev objects (what a resync reads). */
  currentOdevs(): Readonly<Odev>[] {
    return [...this.odevs.values()];
  }

  /** Subscribes to opflexODev changes; the subscriber models its own delivery latency. */
  subscribeOdevs(listener: OdevListener): void {
    this.listeners.push(listener);
  }

  upsertOdev(odev: Odev): void {
    const status: OdevStatus = this.odevs.has(odev.dn) ? 'modified' : 'created';
    const snapshot: Readonly<Odev> = { ...odev };
    this.odevs.set(odev.dn, snapshot);
    this.trace.emit('apic', `odev-${status}`, { dn: odev.dn, hostName: odev.hostName, state: odev.state, fabricPathDn: odev.fabricPathDn });
    for (const l of this.listeners) l({ status, odev: snapshot });
  }

  deleteOdev(dn: string): void {
    const odev = this.odevs.get(dn);
    if (!odev) return;
    this.odevs.delete(dn);
    this.trace.emit('apic', 'odev-deleted', { dn, hostName: odev.hostName, fabricPathDn: odev.fabricPathDn });
    for (const l of this.listeners) l({ status: 'deleted', odev });
  }
}
