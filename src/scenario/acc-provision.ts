/**
 * Reads an acc-provision input file (the YAML users feed `acc-provision -c`) and turns the keys this
 * model uses into scenario settings. Every other key is reported: known acc-provision keys that do
 * not change a migration's control-plane behaviour as "not modelled", anything else as "unknown".
 * Nothing is dropped silently.
 */
import { isMap, isNode, isPair, isScalar } from 'yaml';
import { INPUT_FILES, InputFileError, readInputFile } from './input-file.ts';
import { ScenarioError, describeValue, type ScenarioIssue } from './scenario-error.ts';
import { parseYamlSource } from './yaml-document.ts';
import type { Settings } from './types.ts';

type Kind = 'boolean' | 'seconds' | 'count';

/** acc-provision key -> (section, setting, type). Names are acc-provision's own. */
const MODELLED: Record<string, { section: 'kube_config' | 'aci_config'; kind: Kind }> = {
  enable_opflex_agent_reconnect: { section: 'kube_config', kind: 'boolean' },
  opflex_agent_reset_wait_delay: { section: 'kube_config', kind: 'seconds' },
  opflex_device_reconnect_wait_timeout: { section: 'kube_config', kind: 'seconds' },
  aci_multipod: { section: 'kube_config', kind: 'boolean' },
  dhcp_delay: { section: 'kube_config', kind: 'seconds' },
  dhcp_renew_max_retry_count: { section: 'kube_config', kind: 'count' },
  opflex_agent_policy_retry_delay_timer: { section: 'kube_config', kind: 'seconds' },
  opflex_agent_statistics: { section: 'kube_config', kind: 'boolean' },
  opflex_switch_sync_delay: { section: 'kube_config', kind: 'seconds' },
  opflex_device_delete_timeout: { section: 'aci_config', kind: 'seconds' },
};

/** acc-provision keys known to exist that this model does not use. */
const NOT_MODELLED: Record<string, readonly string[]> = {
  kube_config: [
    'aci_multipod_ubuntu', 'opflex_switch_sync_dynamic', 'opflex_startup_enabled', 'opflex_startup_policy_duration',
    'opflex_startup_resolve_aft_conn', 'toleration_seconds', 'hpp_optimization', 'disable_hpp_rendering',
    'no_wait_for_service_ep_readiness', 'service_graph_endpoint_add_delay', 'add_external_subnets_to_rdconfig',
    'ovs_memory_request', 'ovs_memory_limit', 'aci_containers_memory_request', 'aci_containers_memory_limit',
    'reboot_opflex_with_ovs', 'snat_operator', 'node_snat_redirect_exclude', 'opflex_mode', 'opflex_agent_prometheus',
    'opflex_agent_opflex_asyncjson_enabled', 'opflex_agent_ovs_asyncjson_enabled', 'use_system_node_priority_class',
    'aci_containers_controller_memory_request', 'aci_containers_controller_memory_limit', 'aci_containers_host_memory_request',
    'aci_containers_host_memory_limit', 'mcast_daemon_memory_request', 'mcast_daemon_memory_limit', 'opflex_agent_memory_request',
    'opflex_agent_memory_limit', 'acc_provision_operator_memory_request', 'acc_provision_operator_memory_limit',
    'aci_containers_operator_memory_request', 'aci_containers_operator_memory_limit', 'opflex_openssl_compat',
    'add_external_contract_to_default_epg', 'apic_connection_retry_limit', 'taint_not_ready_node', 'controller',
    'use_rbac_api', 'use_apps_api', 'use_apps_apigroup', 'use_netpol_apigroup', 'use_cluster_role', 'image_pull_policy',
    'kubectl', 'system_namespace', 'max_nodes_svc_graph', 'run_gbp_container', 'run_opflex_server_container',
  ],
  aci_config: [
    'system_id', 'apic_hosts', 'apic_login', 'apic_version', 'apic_tls_cert', 'apic-refreshtime', 'apic_refreshtime',
    'apic_refreshticker_adjust', 'apic_subscription_delay', 'aep', 'vrf', 'l3out', 'vmm_domain', 'physical_domain',
    'sync_login', 'tenant', 'custom_epgs', 'use_legacy_kube_naming_convention', 'cluster_tenant', 'client_ssl',
  ],
  net_config: [
    'node_subnet', 'pod_subnet', 'extern_dynamic', 'extern_static', 'node_svc_subnet', 'kubeapi_vlan', 'service_vlan',
    'infra_vlan', 'interface_mtu', 'interface_mtu_headroom', 'service_monitor_interval', 'pbr_tracking_non_snat',
    'disable_wait_for_network', 'duration_wait_for_network',
  ],
};

/** Whole top-level sections acc-provision knows that have no bearing on this model. */
const NOT_MODELLED_SECTIONS = [
  'registry', 'logging', 'operator_managed_config', 'drop_log_config', 'multus', 'sriov_config', 'dpu_config',
  'nodepodif_config', 'rke2_config', 'istio_config', 'provision', 'chained_cni_config',
];

export interface AccProvisionKey {
  key: string;
  line: number;
}

export interface AccProvisionImport {
  source: string;
  settings: Partial<Settings>;
  applied: (AccProvisionKey & { value: boolean | number })[];
  notModelled: AccProvisionKey[];
  unknown: AccProvisionKey[];
}

export function parseAccProvision(text: string, source: string): AccProvisionImport {
  const { doc, lines } = parseYamlSource(text, source);
  const lineOf = (node: unknown) => (isNode(node) && node.range ? lines.linePos(node.range[0]).line : 0);
  if (!isMap(doc.contents)) throw new ScenarioError([{ source, line: 1, column: 1, path: '', message: 'an acc-provision input file is a YAML mapping' }]);

  const result: AccProvisionImport = { source, settings: {}, applied: [], notModelled: [], unknown: [] };
  const problems: ScenarioIssue[] = [];
  for (const top of doc.contents.items) {
    const section = isScalar(top.key) ? String(top.key.value) : '';
    const line = lineOf(top.key);
    if (NOT_MODELLED_SECTIONS.includes(section)) {
      result.notModelled.push({ key: section, line });
      continue;
    }
    if (!['kube_config', 'aci_config', 'net_config'].includes(section)) {
      result.unknown.push({ key: section, line });
      continue;
    }
    if (top.value === null || top.value === undefined) continue;
    if (!isMap(top.value)) {
      problems.push({ source, line, column: 1, path: section, message: 'must be a mapping' });
      continue;
    }
    for (const item of top.value.items) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      const key = String(item.key.value);
      const keyLine = lineOf(item.key);
      const modelled = MODELLED[key];
      if (modelled && modelled.section === section) {
        const value = isScalar(item.value) ? item.value.value : undefined;
        const ok = modelled.kind === 'boolean' ? typeof value === 'boolean' : typeof value === 'number' && Number.isInteger(value) && value >= 0;
        if (!ok) {
          const want = modelled.kind === 'boolean' ? 'true or false' : 'a whole number of seconds';
          problems.push({ source, line: keyLine, column: 1, path: `${section}.${key}`, message: `must be ${want}, got ${describeValue(value)}` });
          continue;
        }
        (result.settings as Record<string, unknown>)[key] = value;
        result.applied.push({ key: `${section}.${key}`, line: keyLine, value: value as boolean | number });
      } else if ((NOT_MODELLED[section] ?? []).includes(key)) {
        result.notModelled.push({ key: `${section}.${key}`, line: keyLine });
      } else {
        result.unknown.push({ key: `${section}.${key}`, line: keyLine });
      }
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return result;
}

export function loadAccProvision(path: string): AccProvisionImport {
  let text: string;
  try {
    text = readInputFile(path, INPUT_FILES.accProvision);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    throw new ScenarioError([{ source: path, line: 0, column: 0, path: '', message: err.reason }]);
  }
  return parseAccProvision(text, path);
}

/** One line per group, for stderr: what was applied, what was not modelled, what is unknown. */
export function describeImport(imp: AccProvisionImport): string {
  const lines: string[] = [];
  const list = (items: AccProvisionKey[]) => items.map((k) => `${k.key} (line ${k.line})`).join(', ');
  lines.push(`acc-provision input ${imp.source}:`);
  lines.push(`  applied: ${imp.applied.map((a) => `${a.key.split('.')[1]}=${a.value}`).join(', ') || 'nothing (no modelled key set)'}`);
  if (imp.notModelled.length > 0) lines.push(`  not modelled (no effect on the simulation): ${list(imp.notModelled)}`);
  if (imp.unknown.length > 0) lines.push(`  unknown keys (not acc-provision keys this tool knows; check the spelling): ${list(imp.unknown)}`);
  return lines.join('\n') + '\n';
}
