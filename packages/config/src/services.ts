// The services of the stack, in the contract's order (reports list them so): the one list npm
// start, the stack for tests and benchmarks, bench:cpu, the load tester, the codegen, the smoke
// script and the configuration's port variables are derived from. No environment, no zod: plain
// node scripts can read it. scripts/test/registry.test.ts checks docker-compose.yml, which cannot
// import it, against it.

/** What a service is: a subgraph the gateway composes, the gateway, or the SSR renderer. */
export type ServiceKind = 'subgraph' | 'gateway' | 'ssr';

/** One service of the stack. */
export interface ServiceDefinition {
  name: string;
  kind: ServiceKind;
  /** The file its process runs, from the repository's root. */
  entry: string;
  /** The variable its port is read from (docs/contract.md, "Services and ports"), and its default. */
  portVariable: string;
  defaultPort: number;
  /** The variable that says where the others reach it when not on its port here. */
  urlVariable: string;
  /** The ANSI colour of its prefix in npm start's output. */
  colour: number;
}

export const SERVICES = [
  service('gateway', 'gateway', 'gateway/src/main.ts', 4000, 32),
  subgraph('items', 4001, 36),
  subgraph('reviews', 4002, 35),
  subgraph('photos', 4003, 33),
  service('ssr', 'ssr', 'ssr/src/main.ts', 3000, 34),
] as const satisfies readonly ServiceDefinition[];

type Service = (typeof SERVICES)[number];
export type ServiceName = Service['name'];
export type Subgraph = Extract<Service, { kind: 'subgraph' }>;
export type SubgraphName = Subgraph['name'];

/** The subgraphs, in the registry's order (the gateway composes them so). */
export const SUBGRAPHS = SERVICES.filter((entry): entry is Subgraph => entry.kind === 'subgraph');
export const SUBGRAPH_NAMES: readonly SubgraphName[] = SUBGRAPHS.map((entry) => entry.name);
export const SERVICE_NAMES: readonly ServiceName[] = SERVICES.map((entry) => entry.name);

/**
 * What `npm run build` compiles besides the services, each to `dist/<name>.js` like them: the
 * load lab and the worker it forks for a run, the migrator (the image's migration job), the seed
 * loader and the image's health check.
 */
export const TOOL_BUNDLES = [
  { name: 'lab', entry: 'lab/src/main.ts' },
  { name: 'lab-worker', entry: 'lab/src/worker.ts' },
  { name: 'migrate', entry: 'packages/db/src/cli/migrate.ts' },
  { name: 'seed', entry: 'packages/seed/src/cli/seed.ts' },
  { name: 'healthcheck', entry: 'scripts/healthcheck.ts' },
] as const;

export type BundleName = ServiceName | (typeof TOOL_BUNDLES)[number]['name'];

/** Every bundle of the production image: the services, then the tools. */
export const BUNDLES: readonly { name: BundleName; entry: string }[] = [...SERVICES, ...TOOL_BUNDLES].map(
  ({ name, entry }) => ({ name, entry }),
);

/** Where `npm run build` writes `name`'s bundle, from the repository's root (the image's WORKDIR). */
export function bundleFile(name: BundleName): string {
  return `dist/${name}.js`;
}

/** The command that runs `name` compiled, as the image, docker-compose.yml and deploy/k8s/ run it. */
export function compiledCommand(name: BundleName): [string, string] {
  return ['node', bundleFile(name)];
}

/** Where under dist/ the GraphQL Playground's built assets are copied (the gateway serves them from there). */
export const PLAYGROUND_ASSETS = 'playground';

/** `{ ITEMS_PORT: '4101', ... }`: each port in `ports` under its service's variable, as an environment has it. */
export function portEnvironment(ports: Partial<Record<ServiceName, number>>): Record<string, string> {
  return Object.fromEntries(
    SERVICES.flatMap((entry) => {
      const port = ports[entry.name];
      return port === undefined ? [] : [[entry.portVariable, String(port)]];
    }),
  );
}

/** A subgraph by the layout's convention: subgraphs/<name>/src/main.ts, <NAME>_PORT, <NAME>_URL. */
function subgraph<const Name extends string>(name: Name, defaultPort: number, colour: number) {
  return service(name, 'subgraph', `subgraphs/${name}/src/main.ts`, defaultPort, colour);
}

function service<const Name extends string, const Kind extends ServiceKind>(
  name: Name,
  kind: Kind,
  entry: string,
  defaultPort: number,
  colour: number,
) {
  const prefix = name.toUpperCase() as Uppercase<Name>;
  return {
    name,
    kind,
    entry,
    portVariable: `${prefix}_PORT` as const,
    urlVariable: `${prefix}_URL` as const,
    defaultPort,
    colour,
  };
}

/**
 * The gauge in every service's /metrics that says which process answered: a random number drawn
 * at start. prom-client's `process_start_time_seconds` is in whole seconds, the same for two
 * instances started together, so a reader comparing two scrapes (the load tester's mechanism)
 * tells processes apart by this.
 */
export const PROCESS_INSTANCE_METRIC = 'process_instance_id';
