// deploy/k8s checked offline: each overlay rendered by `kubectl kustomize` (files only, never a
// cluster), every object validated against the Kubernetes schemas (kubernetes-models), and the
// project's own rules: probes on routes the services serve, ports and variables as the registry
// and packages/config have them, a stop that drains before SIGKILL, and what each overlay runs.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  compiledCommand,
  CONFIG_VARIABLES,
  readConfig,
  SERVICE_NAMES,
  SERVICES,
  type BundleName,
  type ServiceName,
} from '@supergraph-lab/config';
import { createTestDatabase, type TestDatabase } from '@supergraph-lab/db/testing';
import { createLabService } from '@supergraph-lab/lab';
import { createSsrService } from '@supergraph-lab/ssr';
import { startStack, type Stack } from '@supergraph-lab/stack';
import {
  bundleContainer,
  K8S_DIR,
  kubectl,
  kustomizationFiles,
  kustomize,
  OVERLAYS,
  podSpec,
  serviceConfigMap,
  type Container,
  type K8sObject,
} from './k8s-manifests.ts';

const KUBECTL = kubectl();
const NO_KUBECTL =
  'kubectl not found (PATH or KUBECTL_BIN): the overlays are checked file by file, without their patches';
const rendered = Object.fromEntries(
  OVERLAYS.map((overlay) => {
    const dir = path.join(K8S_DIR, 'overlays', overlay);
    return [overlay, KUBECTL ? kustomize(KUBECTL, dir) : kustomizationFiles(dir)];
  }),
) as Record<(typeof OVERLAYS)[number], K8sObject[]>;

const BUNDLES_RUN: readonly BundleName[] = [...SERVICE_NAMES, 'lab', 'migrate', 'seed'];
/** Variables a project container may set: packages/config's, and Node's own flags. */
const KNOWN_VARIABLES = new Set([...CONFIG_VARIABLES, 'NODE_OPTIONS']);
/** The keys of the Secret the user makes, and sample values for readConfig. */
const SECRET = {
  DATABASE_URL: 'postgresql://shop:secret@postgres:5432/shop',
  REDIS_URL: 'redis://redis:6379',
  ADMIN_TOKEN: 'a'.repeat(16),
  LAB_TOKEN: 'b'.repeat(16),
};

/** Each object running one of the image's bundles, with its container. */
function bundleObjects(objects: K8sObject[]) {
  return objects.flatMap((object) => {
    const found = bundleContainer(object, BUNDLES_RUN);
    return found ? [{ object, ...found }] : [];
  });
}

/** CPU in cores, memory in bytes, from a Kubernetes quantity. */
function quantity(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(value);
  assert.ok(match, `quantity ${value}`);
  const scale = { m: 1e-3, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] as 'm'] ?? 1;
  return Number(match[1]) * scale;
}

/** The environment a container starts with: the ConfigMap, then its own env, the Secret's keys as samples. */
function environmentOf(container: Container, configMap: K8sObject): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    assert.equal(from.configMapRef?.name, configMap.metadata.name, `${container.name} reads the generated ConfigMap`);
    Object.assign(env, configMap.data);
  }
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    if (secret) {
      assert.deepEqual(secret, { name: 'supergraph-lab', key: variable.name }, `${container.name}: ${variable.name}`);
      env[variable.name] = SECRET[variable.name as keyof typeof SECRET] ?? 'unknown secret';
    } else env[variable.name] = variable.value!;
  }
  return env;
}

/** Each kind's model in kubernetes-models, by apiVersion and kind (core objects live under v1/). */
async function modelOf(object: K8sObject): Promise<new (data: K8sObject) => { validate(): void }> {
  const module = await import(`kubernetes-models/${object.apiVersion}/${object.kind}`);
  return module[object.kind];
}

test('kubectl kustomize renders every overlay', { skip: KUBECTL ? false : NO_KUBECTL }, () => {
  for (const overlay of OVERLAYS) {
    assert.ok(rendered[overlay].length > 10, overlay);
    // the overlay's namespace on every object, and kustomize's hash on the generated ConfigMap
    for (const object of rendered[overlay])
      assert.equal(object.metadata.namespace, 'supergraph-lab', object.metadata.name);
    assert.match(serviceConfigMap(rendered[overlay]).metadata.name, /^supergraph-lab-[a-z0-9]{10}$/);
  }
});

for (const overlay of OVERLAYS) {
  describe(`deploy/k8s/overlays/${overlay}`, () => {
    const objects = rendered[overlay];
    const configMap = serviceConfigMap(objects);
    const services = bundleObjects(objects).filter(({ bundle }) =>
      (SERVICE_NAMES as readonly string[]).includes(bundle),
    );

    test('every object validates against the Kubernetes schemas', async () => {
      for (const object of objects) {
        const Model = await modelOf(object);
        assert.doesNotThrow(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`);
      }
      // the validator sees what it is given: a port as text is refused
      const deployment = structuredClone(services[0]!.object);
      podSpec(deployment).containers[0].ports[0].containerPort = 'http';
      const Model = await modelOf(deployment);
      assert.throws(() => new Model(deployment).validate(), /containerPort must be integer/);
    });

    test('runs each service of the registry once, on its port, with the variables packages/config reads', () => {
      assert.deepEqual(services.map(({ bundle }) => bundle).sort(), [...SERVICE_NAMES].sort());
      for (const name of Object.keys(configMap.data!))
        assert.ok(KNOWN_VARIABLES.has(name), `ConfigMap: ${name} is read by nothing`);
      for (const { object, container, bundle } of bundleObjects(objects)) {
        assert.equal(object.metadata.name, bundle, `${bundle} runs as ${object.metadata.name}`);
        for (const { name } of container.env ?? [])
          assert.ok(KNOWN_VARIABLES.has(name), `${bundle}: ${name} is read by nothing`);
        const env = environmentOf(container, configMap);
        const config = readConfig(env);
        if (object.kind !== 'Deployment') continue;
        const service = SERVICES.find((entry) => entry.name === bundle);
        const port = service?.defaultPort ?? config.ports.lab;
        assert.deepEqual(container.ports, [{ name: 'http', containerPort: port }], bundle);
        if (service) assert.equal(config.ports[service.name], service.defaultPort);
        assert.equal(config.host, '0.0.0.0', `${bundle} listens where the Service and the kubelet reach it`);
        const exposed = objects.find((other) => other.kind === 'Service' && other.metadata.name === bundle);
        assert.deepEqual(exposed?.spec.ports, [{ name: 'http', port, targetPort: 'http' }], `Service ${bundle}`);
        assert.deepEqual(exposed?.spec.selector, object.spec.selector.matchLabels);
        if (service?.kind === 'subgraph' || service?.kind === 'gateway')
          assert.equal(env[service.urlVariable], `http://${service.name}:${service.defaultPort}`);
      }
      // one image for every process; the Secret is the user's, never rendered here
      const images = new Set(bundleObjects(objects).map(({ container }) => container.image));
      assert.equal(images.size, 1, [...images].join(', '));
      assert.ok(!objects.some((object) => object.kind === 'Secret'));
    });

    test('probes ask /healthz and /readyz on the service port; a stop drains before SIGKILL', () => {
      for (const { object, container, bundle } of services) {
        assert.equal(container.startupProbe?.httpGet?.path, '/healthz', bundle);
        assert.equal(container.livenessProbe?.httpGet?.path, '/healthz', bundle);
        assert.equal(container.readinessProbe?.httpGet?.path, '/readyz', bundle);
        for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe])
          assert.ok(
            container.ports!.some((port) => port.name === probe!.httpGet!.port),
            `${bundle}: probe port`,
          );
        const env = environmentOf(container, configMap);
        const { drainMs, idleMs, timeoutMs } = readConfig(env).shutdown;
        const [sleep, seconds] = container.lifecycle?.preStop?.exec?.command ?? [];
        assert.equal(sleep, 'sleep', `${bundle}: preStop`);
        const grace = podSpec(object).terminationGracePeriodSeconds * 1000;
        assert.ok(drainMs > 0 && idleMs > 0, `${bundle} drains behind the Service`);
        assert.ok(
          grace > Number(seconds) * 1000 + drainMs + idleMs + timeoutMs,
          `${bundle}: terminationGracePeriodSeconds ${grace / 1000} s under preStop + drain`,
        );
      }
    });

    test('every container has requests within its limits; pods spread over zones and nodes', () => {
      for (const object of objects.filter((candidate) => podSpec(candidate))) {
        const spec = podSpec(object);
        for (const container of [...(spec.initContainers ?? []), ...spec.containers] as Container[])
          for (const resource of ['cpu', 'memory']) {
            const request = container.resources?.requests?.[resource];
            const limit = container.resources?.limits?.[resource];
            assert.ok(request && limit, `${object.metadata.name}/${container.name}: ${resource} request and limit`);
            assert.ok(quantity(request) <= quantity(limit), `${object.metadata.name}/${container.name}: ${resource}`);
          }
      }
      for (const { object, bundle } of services) {
        const labels = object.spec.template.metadata.labels;
        const keys = podSpec(object).topologySpreadConstraints.map(
          (constraint: { topologyKey: string }) => constraint.topologyKey,
        );
        assert.deepEqual(keys, ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'], bundle);
        for (const constraint of podSpec(object).topologySpreadConstraints)
          for (const [key, value] of Object.entries(constraint.labelSelector.matchLabels))
            assert.equal(labels[key], value);
      }
    });

    test('the migrate Job runs the migrator; the subgraphs start once it has applied their migrations', () => {
      const job = objects.find((object) => object.kind === 'Job' && object.metadata.name === 'migrate')!;
      assert.equal(bundleContainer(job, ['migrate'])?.bundle, 'migrate');
      assert.equal(podSpec(job).restartPolicy, 'Never');
      const check = `${compiledCommand('migrate').join(' ')} --check`;
      for (const { object, bundle } of services.filter(
        (entry) => SERVICES.find((s) => s.name === entry.bundle)!.kind === 'subgraph',
      )) {
        const init = (podSpec(object).initContainers ?? []) as Container[];
        assert.ok(
          init.some((container) => container.command?.join(' ').includes(check)),
          `${bundle} waits for ${check}`,
        );
      }
    });
  });
}

test('prod: autoscalers and disruption budgets for every service, more replicas, no lab and no database', () => {
  const objects = rendered.prod;
  const deployments = new Map(objects.filter((o) => o.kind === 'Deployment').map((o) => [o.metadata.name, o]));
  for (const name of SERVICE_NAMES) {
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === name);
    assert.equal(hpa?.spec.scaleTargetRef.name, name);
    assert.ok(deployments.has(hpa.spec.scaleTargetRef.name));
    // the autoscaler owns the count: a number in the Deployment would be reset by every apply
    assert.equal(deployments.get(name)!.spec.replicas, undefined, name);
    assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas > hpa.spec.minReplicas, name);
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === name);
    assert.deepEqual(pdb?.spec.selector.matchLabels, deployments.get(name)!.spec.selector.matchLabels, name);
  }
  if (KUBECTL)
    for (const name of ['gateway', 'ssr'])
      assert.equal(
        objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === name)!.spec.minReplicas,
        3,
      );
  const names = objects.map((object) => object.metadata.name);
  for (const absent of ['lab', 'postgres', 'redis', 'seed'])
    assert.ok(!names.includes(absent), `prod has no ${absent}`);
  assert.equal(serviceConfigMap(objects).data!.LAB, 'off');
});

test(
  'dev: one replica of each, Postgres and Redis in the cluster, a seed and the lab',
  { skip: KUBECTL ? false : NO_KUBECTL },
  () => {
    const objects = rendered.dev;
    assert.ok(!objects.some((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'PodDisruptionBudget'));
    for (const { object } of bundleObjects(objects).filter(({ object }) => object.kind === 'Deployment'))
      assert.ok((object.spec.replicas ?? 1) === 1, object.metadata.name);
    assert.equal(objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'postgres')?.spec.replicas, 1);
    assert.equal(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'redis')?.spec.replicas, 1);
    const seed = objects.find((o) => o.kind === 'Job' && o.metadata.name === 'seed')!;
    assert.match(
      podSpec(seed).containers[0].command.join(' '),
      new RegExp(`${compiledCommand('seed').join(' ')} --items \\d+ --if-empty`),
    );
    // the in-cluster services the Secret's URLs name
    for (const name of ['postgres', 'redis', 'lab'])
      assert.ok(
        objects.some((o) => o.kind === 'Service' && o.metadata.name === name),
        name,
      );
  },
);

describe('every probe path is a route the service serves', () => {
  let database: TestDatabase;
  let stack: Stack;
  const closers: (() => Promise<void>)[] = [];
  const urls = {} as Record<ServiceName | 'lab', string>;

  before(async () => {
    database = await createTestDatabase('k8s_probes');
    stack = await startStack({ databaseUrl: database.url });
    Object.assign(urls, stack.subgraphUrls, { gateway: stack.gatewayUrl });
    const config = readConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', GATEWAY_URL: stack.gatewayUrl });
    const ssr = createSsrService(config);
    urls.ssr = await ssr.listen(0);
    closers.push(() => ssr.close());
    const lab = createLabService({ ...config, ssrUrl: urls.ssr });
    urls.lab = await lab.listen(0);
    closers.push(() => lab.close());
  });

  after(async () => {
    for (const close of closers) await close();
    await stack?.close();
    await database?.drop();
  });

  test('each probe of each overlay answers 200 on its service', async () => {
    const probes = new Set<string>();
    for (const overlay of OVERLAYS)
      for (const { object, container } of bundleObjects(rendered[overlay]))
        for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe])
          if (probe?.httpGet) probes.add(`${object.metadata.name} ${probe.httpGet.path}`);
    assert.ok(probes.size >= 2 * SERVICE_NAMES.length, [...probes].join(', '));
    for (const probe of probes) {
      const [name, route] = probe.split(' ') as [ServiceName | 'lab', string];
      const response = await fetch(`${urls[name]}${route}`);
      await response.arrayBuffer();
      assert.equal(response.status, 200, `${name} ${route}`);
    }
  });
});
