/**
 * The opflex-agent configuration files as aci-containers' host-agent writes them into
 * `/usr/local/etc/opflex-agent-ovs/base-conf.d/` (pkg/hostagent/opflex.go: the `opflex-config-base`
 * and `opflex-config-vxlan` text/templates): `01-base.conf` names the agent, its domain and its one
 * peer, the pod's anycast OpFlex proxy (TEP subnet base + .30, port "8009" as a string, as the
 * template writes it); `10-renderer.conf` holds the VXLAN remote (subnet base + .32).
 *
 * The text is the template's output byte for byte, every value escaped with Go's `js` template
 * function, which is what the template pipes each value through.
 */

/** What the host-agent fills into `01-base.conf`. */
export interface BaseConfValues {
  /** The node name (opflex.name). */
  name: string;
  /** The PlatformConfig domain, `comp/prov-<type>/ctrlr-[<domain>]-<controller>/sw-InsiemeLSOid`. */
  domain: string;
  /** The anycast OpFlex proxy: the infra subnet's base + .30 (or its loopback stand-in when emulated). */
  peerHost: string;
  /** The template always writes "8009"; an emulated fabric on another port writes that port instead. */
  peerPort?: number;
  /** Defaults are the host-agent's flag defaults where known; the rest are assumptions (docs/live-multipod.md). */
  endpointDir?: string;
  serviceDir?: string;
  snatDir?: string;
  dropLogConfigDir?: string;
  packetEventNotificationSock?: string;
  faultDir?: string;
}

/** What the host-agent fills into `10-renderer.conf` (VXLAN encapsulation). */
export interface RendererConfValues {
  /** The VXLAN anycast remote: the infra subnet's base + .32. */
  vxlanRemoteIp: string;
  vxlanIface?: string;
  infraVlan?: number;
  intBridgeName?: string;
  accessBridgeName?: string;
  flowIdCacheDir?: string;
  mcastFile?: string;
  dropLogIntInterface?: string;
  dropLogAccessInterface?: string;
  dropLogRemoteIp?: string;
}

export const BASE_CONF_FILE = '01-base.conf';
export const RENDERER_CONF_FILE = '10-renderer.conf';
/** The port the template writes for the peer; the anycast proxy always listens there on a fabric. */
export const OPFLEX_PEER_PORT = 8009;

const HEX = '0123456789ABCDEF';

/**
 * Go's text/template `js` escaping (JSEscapeString): \ ' " < > & = and control characters are
 * escaped, printable non-ASCII is kept, other non-ASCII becomes \uXXXX. `\'` is not valid JSON: a value
 * holding an apostrophe makes a file the reference agent cannot parse either, and our reader says so.
 */
export function goJsEscape(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    switch (ch) {
      case '\\': out += '\\\\'; continue;
      case "'": out += "\\'"; continue;
      case '"': out += '\\"'; continue;
      case '<': out += '\\u003C'; continue;
      case '>': out += '\\u003E'; continue;
      case '&': out += '\\u0026'; continue;
      case '=': out += '\\u003D'; continue;
    }
    if (code < 0x20) out += `\\u00${HEX[code >> 4]}${HEX[code & 15]}`;
    else if (code >= 0x80 && !isGoPrintable(ch)) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isGoPrintable(ch: string): boolean {
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

export function renderBaseConf(v: BaseConfValues): string {
  const e = goJsEscape;
  return `{
    "opflex": {
        "name": "${e(v.name)}",
        "domain": "${e(v.domain)}",
        "peers": [
            {"hostname": "${e(v.peerHost)}", "port": "${v.peerPort ?? OPFLEX_PEER_PORT}"}
        ]
    } ,
    "endpoint-sources": {
        "filesystem": ["${e(v.endpointDir ?? '/usr/local/var/lib/opflex-agent-ovs/endpoints/')}"]
    },
    "service-sources": {
        "filesystem": ["${e(v.serviceDir ?? '/usr/local/var/lib/opflex-agent-ovs/services/')}"]
    },
    "snat-sources": {
        "filesystem": ["${e(v.snatDir ?? '/usr/local/var/lib/opflex-agent-ovs/snats/')}"]
    },
    "drop-log-config-sources": {
        "filesystem": ["${e(v.dropLogConfigDir ?? '/usr/local/var/lib/opflex-agent-ovs/droplog/')}"]
    },
    "packet-event-notif": {
        "socket-name": ["${e(v.packetEventNotificationSock ?? '/usr/local/var/run/aci-containers_packet_event_notify.sock')}"]
    },
    "host-agent-fault-sources": {
        "filesystem": ["${e(v.faultDir ?? '/usr/local/var/lib/opflex-agent-ovs/faults/')}"]
    }
}
`;
}

export function renderRendererConf(v: RendererConfValues): string {
  const e = goJsEscape;
  return `{
    "renderers": {
        "stitched-mode": {
            "int-bridge-name": "${e(v.intBridgeName ?? 'br-int')}",
            "access-bridge-name": "${e(v.accessBridgeName ?? 'br-access')}",
            "encap": {
                "vxlan" : {
                    "encap-iface": "vxlan0",
                    "uplink-iface": "${e(v.vxlanIface ?? 'eth1.4093')}",
                    "uplink-vlan": "${v.infraVlan ?? 4093}",
                    "remote-ip": "${e(v.vxlanRemoteIp)}",
                    "remote-port": 8472
                }
            },
            "flowid-cache-dir": "${e(v.flowIdCacheDir ?? '/usr/local/var/lib/opflex-agent-ovs/ids/')}",
            "mcast-group-file": "${e(v.mcastFile ?? '/usr/local/var/lib/opflex-agent-ovs/mcast/opflex-groups.json')}",
            "drop-log": {
\t\t"geneve" : {
\t\t    "int-br-iface": "${e(v.dropLogIntInterface ?? 'gpodif')}",
\t\t    "access-br-iface": "${e(v.dropLogAccessInterface ?? 'gpodif')}",
\t\t    "remote-ip": "${e(v.dropLogRemoteIp ?? '192.168.1.2')}"
\t\t}
\t    }
        }
    }
}
`;
}
