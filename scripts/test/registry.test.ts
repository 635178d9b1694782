// The registry of services (packages/config/src/services.ts) against what cannot import it:
// docker-compose.yml, deploy/k8s and the folders under subgraphs/.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  compiledCommand,
  CONFIG_VARIABLES,
  readConfig,
  SERVICE_NAMES,
  SERVICES,
  SUBGRAPH_NAMES,
} from '@supergraph-lab/config';
import { bundleContainer, K8S_DIR, kustomizationFiles, serviceConfigMap } from './k8s-manifests.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

/** Compose's instances of each registered service: `name`, or `name-1`, `name-2`, ... (start:scaled's P, P+10). */
function instancesOf(name: string): { instance: string; port: number; service: ComposeService }[] {
  const { defaultPort } = SERVICES.find((entry) => entry.name === name)!;
  return Object.entries(compose.services).flatMap(([instance, service]) => {
    if (instance === name) return [{ instance, port: defaultPort, service }];
    const match = new RegExp(`^${name}-(\\d+)$`).exec(instance);
    return match ? [{ instance, port: defaultPort + 10 * (Number(match[1]) - 1), service }] : [];
  });
}

test("the contract's services keep their names, port variables and default ports", () => {
  const contract = {
    gateway: ['GATEWAY_PORT', 4000],
    items: ['ITEMS_PORT', 4001],
    reviews: ['REVIEWS_PORT', 4002],
    photos: ['PHOTOS_PORT', 4003],
    ssr: ['SSR_PORT', 3000],
  };
  for (const [name, [variable, port]] of Object.entries(contract)) {
    const entry = SERVICES.find((service) => service.name === name);
    assert.deepEqual([entry?.portVariable, entry?.defaultPort], [variable, port], name);
  }
  const ports = SERVICES.map((service) => service.defaultPort);
  assert.equal(new Set(ports).size, ports.length, `each service a port of its own: ${ports.join(', ')}`);
  // the configuration reads them: each default, and each variable overriding it
  const config = readConfig(Object.fromEntries(SERVICES.map((service, i) => [service.portVariable, String(5000 + i)])));
  assert.deepEqual(
    SERVICES.map((service) => [readConfig({}).ports[service.name], config.ports[service.name]]),
    SERVICES.map((service, i) => [service.defaultPort, 5000 + i]),
  );
});

test('every service runs a file that exists; every subgraph is a folder with its schema', () => {
  for (const service of SERVICES) assert.ok(existsSync(path.join(ROOT, service.entry)), service.entry);
  for (const name of SUBGRAPH_NAMES)
    assert.ok(existsSync(path.join(ROOT, 'subgraphs', name, 'schema.graphql')), `subgraphs/${name}/schema.graphql`);
});

test('every folder under subgraphs/ is a registered subgraph', () => {
  const folders = readdirSync(path.join(ROOT, 'subgraphs'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const registered = new Set<string>(SUBGRAPH_NAMES);
  assert.deepEqual(
    folders.filter((folder) => !registered.has(folder)),
    [],
    'add it to SERVICES in packages/config/src/services.ts',
  );
});

test('docker-compose.yml runs every service of the registry on its port variable and default port', () => {
  for (const service of SERVICES) {
    const instances = instancesOf(service.name);
    assert.ok(instances.length > 0, `docker-compose.yml has no ${service.name} (nor ${service.name}-1)`);
    for (const { instance, port, service: composed } of instances) {
      assert.deepEqual(composed.command, compiledCommand(service.name), `${instance} runs ${service.entry}, compiled`);
      assert.equal(composed.environment?.[service.portVariable], String(port), `${instance}: ${service.portVariable}`);
      assert.match(composed.healthcheck?.test.join(' ') ?? '', new RegExp(`127\\.0\\.0\\.1:${port}/`), instance);
    }
  }
  // the gateway starts once every subgraph is healthy
  for (const { instance, service } of instancesOf('gateway'))
    for (const name of SUBGRAPH_NAMES)
      assert.equal(service.depends_on?.[name]?.condition, 'service_healthy', `${instance} waits for ${name}`);
});

test('docker-compose.yml runs nothing the registry does not list', () => {
  const registered = new Set(SERVICES.flatMap((service) => instancesOf(service.name).map(({ instance }) => instance)));
  const variables = new Set<string>(SERVICES.map((service) => service.portVariable));
  // the load lab runs beside the stack as a tool of its own (it drives the services over HTTP)
  registered.add('lab');
  variables.add('LAB_PORT');
  for (const [instance, service] of Object.entries(compose.services)) {
    // a service's process is its bundle; migrate and the other images run other things
    const bundle = SERVICES.find((entry) => service.command?.join(' ') === compiledCommand(entry.name).join(' '));
    if (bundle) assert.ok(registered.has(instance), `${instance} runs ${bundle.name}, not its instance`);
    for (const variable of Object.keys(service.environment ?? {}).filter((name) => name.endsWith('_PORT')))
      assert.ok(variables.has(variable), `${instance} sets ${variable}, no service's port variable`);
  }
  // and all the gateway waits for is subgraphs
  const subgraphs = new Set<string>(SUBGRAPH_NAMES);
  for (const { service } of instancesOf('gateway'))
    for (const dependency of Object.keys(service.depends_on ?? {}))
      assert.ok(subgraphs.has(dependency), `the gateway waits for ${dependency}, no subgraph`);
});

test("deploy/k8s's base runs every service of the registry on its port variable and default port", () => {
  const objects = kustomizationFiles(path.join(K8S_DIR, 'base'));
  const config = serviceConfigMap(objects).data!;
  for (const service of SERVICES) {
    const deployment = objects.find((object) => object.kind === 'Deployment' && object.metadata.name === service.name);
    assert.ok(deployment, `deploy/k8s/base has no Deployment ${service.name}`);
    const { container, bundle } = bundleContainer(deployment, SERVICE_NAMES) ?? {};
    assert.equal(bundle, service.name, `Deployment ${service.name} runs ${compiledCommand(service.name).join(' ')}`);
    assert.deepEqual(container?.ports, [{ name: 'http', containerPort: service.defaultPort }], service.name);
    assert.equal(config[service.portVariable], String(service.defaultPort), `ConfigMap ${service.portVariable}`);
    const exposed = objects.find((object) => object.kind === 'Service' && object.metadata.name === service.name);
    assert.deepEqual(exposed?.spec.ports, [{ name: 'http', port: service.defaultPort, targetPort: 'http' }]);
    // the gateway reaches the subgraphs, and SSR the gateway, at their Services
    if (service.kind !== 'ssr')
      assert.equal(config[service.urlVariable], `http://${service.name}:${service.defaultPort}`, service.urlVariable);
  }
  // nothing runs a service apart from its Deployment, and every variable is one packages/config reads
  const known = new Set<string>([...CONFIG_VARIABLES, 'NODE_OPTIONS']);
  for (const name of Object.keys(config)) assert.ok(known.has(name), `the ConfigMap sets ${name}, which nothing reads`);
  for (const object of objects) {
    const found = bundleContainer(object, SERVICE_NAMES);
    if (!found) continue;
    assert.equal(object.metadata.name, found.bundle, `${object.kind} ${object.metadata.name} runs ${found.bundle}`);
    for (const { name } of found.container.env ?? [])
      assert.ok(known.has(name), `${found.bundle} sets ${name}, which nothing reads`);
  }
});
