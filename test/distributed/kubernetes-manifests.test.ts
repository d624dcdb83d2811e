/**
 * examples/kubernetes: every manifest is valid for the Kubernetes API schema of its kind (checked
 * offline with kubernetes-models), a misspelt field or a wrong type is caught, and the worker's
 * Deployment agrees with the worker's own options (probe and scrape port, grace periods, CPUs).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { manifestProblems } from '../support/kubernetes-schema.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/kubernetes/', import.meta.url));
const manifestFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();
const read = (file: string): string => readFileSync(EXAMPLES + file, 'utf8');

interface WorkerDeployment {
  spec: { template: { metadata: { annotations: Record<string, string> }; spec: {
    terminationGracePeriodSeconds: number;
    containers: { args: string[]; ports: { name: string; containerPort: number }[]; resources: { requests: { cpu: string } };
      livenessProbe: { httpGet: { path: string; port: string } }; readinessProbe: { httpGet: { path: string; port: string } } }[];
  } } };
}

describe('examples/kubernetes', { timeout: 120_000 }, () => {
  test('has the Redis, the workers and the submitter', () => {
    assert.deepEqual(manifestFiles, ['redis.yaml', 'submit-job.yaml', 'worker.yaml']);
  });

  for (const file of manifestFiles) {
    test(`${file} is valid for the Kubernetes API schema of its kinds`, { timeout: 60_000 }, () => {
      assert.deepEqual(manifestProblems(file, read(file)), []);
    });
  }

  test('a misspelt field is reported with its path; so is a value of the wrong type', { timeout: 60_000 }, () => {
    const misspelt = read('worker.yaml').replace('livenessProbe:', 'livenesProbe:');
    const problems = manifestProblems('worker.yaml', misspelt);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /^worker\.yaml: document 1 \(Deployment opflex-twin-worker\): spec\.template\.spec\.containers\.0\.livenesProbe: Object literal may only specify known properties, and '"livenesProbe"' does not exist in type 'IContainer'\.$/);
    const wrongType = manifestProblems('redis.yaml', read('redis.yaml').replace('replicas: 1', 'replicas: one'));
    assert.deepEqual(wrongType, [
      'redis.yaml: document 1 (Deployment opflex-twin-redis): data/spec/replicas must be integer',
      "redis.yaml: document 1 (Deployment opflex-twin-redis): spec.replicas: Type 'string' is not assignable to type 'number'.",
    ]);
  });

  test("the worker Deployment agrees with the worker's options", () => {
    const [doc] = parseAllDocuments(read('worker.yaml')).map((d) => d.toJS() as WorkerDeployment);
    const pod = doc!.spec.template;
    const container = pod.spec.containers[0]!;
    const option = (name: string): string => {
      const arg = container.args.find((a) => a.startsWith(`--${name}=`));
      assert.ok(arg, `the worker is given --${name}`);
      return arg.slice(name.length + 3);
    };
    assert.equal(container.args[0], 'worker');
    const healthPort = Number(option('health-port'));
    assert.deepEqual(container.ports, [{ name: 'health', containerPort: healthPort }]);
    for (const probe of [container.livenessProbe, container.readinessProbe]) assert.deepEqual(probe.httpGet, { path: '/healthz', port: 'health' });
    assert.deepEqual(pod.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(healthPort), 'prometheus.io/path': '/metrics' });
    // SIGTERM waits --shutdown-grace for the jobs, then hands them back and closes: Kubernetes must not SIGKILL before.
    assert.ok(pod.spec.terminationGracePeriodSeconds >= Number(option('shutdown-grace')) + 5);
    assert.equal(Number(container.resources.requests.cpu), Number(option('concurrency')), 'one CPU per job thread');
    assert.match(option('queue'), /^redis:\/\/opflex-twin-redis:6379$/);
  });
});
