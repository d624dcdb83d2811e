/** A map entry the model knows is there (a node, a hypervisor, a leaf pair of the loaded scenario). */
export function lookup<K, V>(map: ReadonlyMap<K, V>, key: K, what: string): V {
  const value = map.get(key);
  // The scenario's cross-reference checks make this unreachable; if it is reached, it names what was missing.
  if (value === undefined) throw new Error(`unknown ${what} ${JSON.stringify(key)}`);
  return value;
}
