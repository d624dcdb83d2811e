import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referencesOf } from '../../src/model/managed-object.ts';
import { buildPolicyUniverse, epgUri, platformConfigUri } from '../../src/model/policy-builder.ts';
import { policyClosure } from '../../src/model/policy-closure.ts';
import { testScenario } from '../support/scenario-builder.ts';

describe('policy universe and closure', { timeout: 120_000 }, () => {
  const spec = testScenario().policy;
  const store = buildPolicyUniverse(spec);

  it('escapes EPG names in URIs as libopflex does', () => {
    assert.equal(epgUri('kube', 'kubernetes|api'), '/PolicyUniverse/PolicySpace/kube/GbpEpGroup/kubernetes%7capi/');
    assert.equal(platformConfigUri(spec.domain), '/PolicyUniverse/PlatformConfig/comp%2fprov-Kubernetes%2fctrlr-%5bkube%5d-kube%2fsw-InsiemeLSOid/');
    assert.ok(store.has(epgUri('kube', 'kubernetes|api')));
  });

  it('gives every non-root object a parent that lists it as a child', () => {
    for (const mo of store.values()) {
      if (mo.uri === '/PolicyUniverse/') continue;
      const parent = store.get(mo.parent_uri!);
      assert.ok(parent, `parent of ${mo.uri}`);
      assert.ok(parent.children.includes(mo.uri), `${parent.uri} lists ${mo.uri}`);
    }
  });

  it('is closed under references: every object a closure member refers to is in the closure', () => {
    for (const epg of spec.epgs) {
      const closure = policyClosure(store, [{ subject: 'GbpEpGroup', uri: epgUri(spec.tenant, epg.name) }]);
      const uris = new Set(closure.map((r) => r.uri));
      for (const ref of closure) {
        for (const mo of store.subtree(ref.uri)) for (const target of referencesOf(mo)) assert.ok(uris.has(target.reference_uri), `${target.reference_uri} from ${mo.uri}`);
      }
    }
  });

  it('follows EPG -> flood domain -> bridge domain -> routing domain, subnets and contract chains', () => {
    const closure = policyClosure(store, [{ subject: 'GbpEpGroup', uri: epgUri('kube', 'kubernetes|db') }]);
    const subjects = new Set(closure.map((r) => r.subject));
    for (const s of ['GbpEpGroup', 'GbpFloodDomain', 'GbpBridgeDomain', 'GbpRoutingDomain', 'GbpSubnets', 'GbpContract', 'GbpeL24Classifier', 'GbpAllowDenyAction']) {
      assert.ok(subjects.has(s), s);
    }
    assert.ok(closure.some((r) => r.uri.endsWith('/GbpBridgeDomain/db-bd/')));
    assert.equal(closure.length, new Set(closure.map((r) => r.uri)).size, 'no duplicates');
  });
});
