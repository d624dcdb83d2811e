/**
 * A small valid scenario written out line by line, so that tests can change one line and assert the
 * exact line number an error points at. Line N of the file is TINY_LINES[N - 1].
 */
export const TINY_LINES: readonly string[] = [
  'name: tiny', //                                                         1
  'seed: 7', //                                                            2
  'fabric:', //                                                            3
  '  spines: [spine-1]', //                                                4
  '  leafPairs:', //                                                       5
  '    - name: pair-a', //                                                 6
  '      leaves:', //                                                      7
  '        - { name: leaf-101, id: 101, address: 10.0.80.64 }', //         8
  '        - { name: leaf-102, id: 102, address: 10.0.80.66 }', //         9
  '    - name: pair-b', //                                                 10
  '      leaves:', //                                                      11
  '        - { name: leaf-103, id: 103, address: 10.0.80.68 }', //         12
  '        - { name: leaf-104, id: 104, address: 10.0.80.70 }', //         13
  '  hypervisors:', //                                                     14
  '    - { name: esx-1, leafPair: pair-a }', //                            15
  '    - { name: esx-2, leafPair: pair-b }', //                            16
  'policy:', //                                                            17
  '  vrfs: [{ name: vrf }]', //                                            18
  '  bridgeDomains: [{ name: bd, vrf: vrf, subnets: [10.2.0.1/16] }]', // 19
  '  epgs:', //                                                            20
  '    - { name: web, bd: bd }', //                                        21
  'nodes:', //                                                             22
  '  - name: node-1', //                                                   23
  '    hypervisor: esx-1', //                                              24
  '    infraIp: 10.0.0.101', //                                            25
  '    mac: 00:50:56:A1:00:01', //                                         26
  '    pods:', //                                                          27
  '      - name: web-1', //                                                28
  '        epg: web', //                                                   29
  '        ip: 10.2.1.10', //                                              30
  '        mac: 0a:58:0a:02:01:0a', //                                     31
  '  - name: node-2', //                                                   32
  '    hypervisor: esx-2', //                                              33
  '    infraIp: 10.0.0.102', //                                            34
  '    mac: 00:50:56:a1:00:02', //                                         35
  '    pods:', //                                                          36
  '      - { name: web-2, epg: web, ip: 10.2.2.10, mac: 0a:58:0a:02:02:0a }', // 37
  'migrations:', //                                                        38
  '  - at: 20s', //                                                        39
  '    node: node-1', //                                                   40
  '    to: esx-2', //                                                      41
  'flows:', //                                                             42
  '  - { name: web, from: web-2, to: web-1 }', //                          43
];

/** The tiny scenario with some lines replaced (1-based line numbers) and lines appended. */
export function tiny(replace: Record<number, string> = {}, append: string[] = []): string {
  const lines = TINY_LINES.map((line, i) => replace[i + 1] ?? line);
  return [...lines, ...append].join('\n') + '\n';
}
