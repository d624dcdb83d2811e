/**
 * Endpoint files for our agent, in the shape of the reference agent's `.ep` files
 * (FSEndpointSource): one JSON object per file, e.g.
 *
 *   { "uuid": "node-1/web-1", "mac": "0a:58:0a:02:01:0a", "ip": ["10.2.1.10"],
 *     "interface-name": "veth-web-1", "policy-space-name": "kube", "endpoint-group-name": "kubernetes|web" }
 *
 * A bad file is reported with its name and field and skipped; the others still load.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { epgUri } from '../model/policy-builder.ts';
import type { LocalEndpoint } from '../opflex/agent-processor.ts';
import { INPUT_FILES, InputFileError, readInputFile } from '../scenario/input-file.ts';
import type { NodeSpec } from '../scenario/types.ts';
import { podInterfaceName, podUuid } from '../host/pod-endpoint.ts';
import { errnoCode, errorMessage } from '../error-details.ts';
import { field, isRecord } from '../json-fields.ts';

const MAX_FILES = 10_000;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export interface EndpointFileProblem {
  file: string;
  message: string;
}

export function parseEndpointFile(text: string, file: string): LocalEndpoint {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(`${file}: not JSON: ${errorMessage(err)}`);
  }
  if (!isRecord(data)) throw new SyntaxError(`${file}: must be a JSON object`);
  const o = data;
  const str = (key: string): string => {
    const v = o[key];
    if (typeof v !== 'string' || v.length === 0) throw new SyntaxError(`${file}: "${key}" must be a non-empty string`);
    return v;
  };
  const givenMac = str('mac');
  const mac = givenMac.toLowerCase();
  if (!MAC.test(mac)) throw new SyntaxError(`${file}: "mac" must look like 0a:58:0a:02:01:0a, got "${givenMac}"`);
  const ips = o.ip === undefined ? [] : o.ip;
  if (!Array.isArray(ips) || !ips.every((ip): ip is string => typeof ip === 'string' && IPV4.test(ip))) throw new SyntaxError(`${file}: "ip" must be a list of IPv4 addresses`);
  const space = str('policy-space-name');
  const group = str('endpoint-group-name');
  const uuid = str('uuid');
  return {
    uuid,
    mac,
    ips,
    epgUri: epgUri(space, group),
    interfaceName: typeof o['interface-name'] === 'string' ? o['interface-name'] : '',
    name: vmName(o.attributes) ?? uuid,
  };
}

/** The "vm-name" attribute, when the file gives one. */
function vmName(attributes: unknown): string | undefined {
  const name = field(attributes, 'vm-name');
  return typeof name === 'string' ? name : undefined;
}

/** Every `*.ep` file in a directory: the endpoints that parsed and the problems with the rest. */
export function readEndpointDir(dir: string): { endpoints: LocalEndpoint[]; problems: EndpointFileProblem[] } {
  const endpoints: LocalEndpoint[] = [];
  const problems: EndpointFileProblem[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.ep') && !f.startsWith('.')).sort();
  } catch (err) {
    const code = errnoCode(err);
    const reason = code === 'ENOENT' ? 'directory not found' : code === 'ENOTDIR' ? 'is not a directory' : `cannot list the directory: ${code ?? errorMessage(err)}`;
    return { endpoints, problems: [{ file: dir, message: reason }] };
  }
  if (names.length > MAX_FILES) problems.push({ file: dir, message: `${names.length} endpoint files; only the first ${MAX_FILES} are read` });
  for (const name of names.slice(0, MAX_FILES)) {
    const file = join(dir, name);
    try {
      endpoints.push(parseEndpointFile(readInputFile(file, INPUT_FILES.endpoint), file));
    } catch (err) {
      // The problem names the file itself: its message need not repeat it.
      const message = err instanceof InputFileError ? err.reason : errorMessage(err);
      problems.push({ file, message: message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message });
    }
  }
  return { endpoints, problems };
}

/** The `.ep` files for a scenario node's pods: file name -> content. */
export function endpointFilesFor(node: NodeSpec, tenant: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const pod of node.pods) {
    const content = {
      uuid: podUuid(node.name, pod.name),
      mac: pod.mac,
      ip: [pod.ip],
      'interface-name': podInterfaceName(pod.name),
      'policy-space-name': tenant,
      'endpoint-group-name': pod.epg,
      attributes: { 'vm-name': pod.name },
    };
    files.set(`${pod.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.ep`, JSON.stringify(content, null, 2) + '\n');
  }
  return files;
}
