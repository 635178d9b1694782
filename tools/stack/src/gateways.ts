// The gateways GATEWAY chooses between for the gateway port, over the same subgraphs: the
// project's own (Apollo Gateway with its caches, REST routes, limits and Server-Timing) and three
// peers installed from the npm registry, each run as its own process. npm start, the stack for
// benchmarks (processes.ts), bench:gateways and the lab read this one list.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GATEWAYS, SUBGRAPH_NAMES, type GatewayKind, type SubgraphName } from '@supergraph-lab/config';
import { composeSupergraph, readSubgraphSources, SUBGRAPH_SCHEMA_FILES } from '@supergraph-lab/gateway/supergraph';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export { GATEWAYS, type GatewayKind };

/** One gateway GATEWAY can name. */
export interface GatewayChoice {
  kind: GatewayKind;
  /** How reports and the banner name it. */
  label: string;
  /** Its engine, in a few words. */
  engine: string;
  /** The npm package it runs from: null for the project's own. */
  packageName: string | null;
  /** What it lacks of the project's gateway, for the banner and the lab: "it lacks ..." ('' for the project's own). */
  lacks: string;
}

/** What every peer lacks of the project's gateway: the features that live in gateway/src. */
const PEER_LACKS =
  'the response cache, the REST compatibility routes (/api/...), the depth and cost limits, Server-Timing, ' +
  '/readyz, /metrics and the admin routes';

export const GATEWAY_CHOICES: Record<GatewayKind, GatewayChoice> = {
  apollo: {
    kind: 'apollo',
    label: "the project's gateway",
    engine: '@apollo/gateway on Apollo Server (Node), with its lean path, compiled plans and caches',
    packageName: null,
    lacks: '',
  },
  hive: {
    kind: 'hive',
    label: 'Hive Gateway',
    engine: '@graphql-hive/gateway (Node, JavaScript query planner)',
    packageName: '@graphql-hive/gateway',
    lacks: PEER_LACKS,
  },
  'hive-rust': {
    kind: 'hive-rust',
    label: 'Hive Gateway, Rust planner',
    engine: "@graphql-hive/gateway with @graphql-hive/router-runtime (Hive Router's Rust query planner, native)",
    packageName: '@graphql-hive/router-runtime',
    lacks: PEER_LACKS,
  },
  grafbase: {
    kind: 'grafbase',
    label: 'Grafbase (CLI dev server)',
    engine:
      "the Grafbase gateway engine (Rust) in the CLI's dev server, `grafbase dev`; the production " +
      'grafbase-gateway binary is not on the npm registry',
    packageName: '@grafbase/cli-x86_64-unknown-linux-musl',
    lacks: `${PEER_LACKS} (and it composes its own supergraph from the subgraphs' SDL files)`,
  },
};

/** Where an installed package lives, or null when it is not installed. */
function packageDir(name: string): string | null {
  const dir = path.join(ROOT, 'node_modules', name);
  return existsSync(path.join(dir, 'package.json')) ? dir : null;
}

/**
 * Why `kind` cannot run here (its package absent, or a platform it has no binary for), or
 * null when it can. The peers are dependencies of tools/stack; a checkout without them skips.
 */
export function gatewayUnavailable(kind: GatewayKind): string | null {
  const choice = GATEWAY_CHOICES[kind];
  if (!choice.packageName) return null;
  if (!packageDir(choice.packageName)) return `${choice.label} needs ${choice.packageName} (npm install)`;
  if (kind === 'hive-rust' && !packageDir('@graphql-hive/gateway'))
    return `${choice.label} needs @graphql-hive/gateway (npm install)`;
  if (kind === 'grafbase' && (process.platform !== 'linux' || process.arch !== 'x64'))
    return `${choice.label} runs from a linux-x64 binary; this is ${process.platform}-${process.arch}`;
  return null;
}

/** A peer's process as its caller spawns it: the command, its working folder, and what to remove after. */
export interface PeerLaunch {
  command: [string, ...string[]];
  cwd: string;
  /** Removes the files written for it (its supergraph or configuration). */
  cleanup(): void;
}

/** The Hive Gateway configuration that swaps in the Rust query planner (a file of its own: hive-gateway loads it). */
export const HIVE_RUST_CONFIG = path.join(import.meta.dirname, 'peers', 'hive-rust.config.ts');

/**
 * How to start peer `kind` on 127.0.0.1:`port` over the subgraphs at `subgraphUrls` (base URLs):
 * Hive Gateway serves the supergraph Apollo's composition makes (the project's gateway's own);
 * Grafbase composes its own from the subgraphs' SDL files. `nodeFlags` go to the Node peers.
 */
export function peerLaunch(
  kind: Exclude<GatewayKind, 'apollo'>,
  port: number,
  subgraphUrls: Record<SubgraphName, string>,
  nodeFlags: string[] = [],
): PeerLaunch {
  const why = gatewayUnavailable(kind);
  if (why) throw new Error(why);
  const dir = mkdtempSync(path.join(tmpdir(), `sgl-${kind}-`));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  if (kind === 'grafbase') {
    const toml = SUBGRAPH_NAMES.map(
      (name) =>
        `[subgraphs.${name}]\nurl = ${JSON.stringify(`${subgraphUrls[name]}/graphql`)}\n` +
        `schema_path = ${JSON.stringify(SUBGRAPH_SCHEMA_FILES[name])}\n`,
    ).join('\n');
    writeFileSync(path.join(dir, 'grafbase.toml'), toml);
    const binary = path.join(packageDir(GATEWAY_CHOICES.grafbase.packageName!)!, 'grafbase');
    return {
      command: [binary, 'dev', '-c', path.join(dir, 'grafbase.toml'), '--listen-address', `127.0.0.1:${port}`],
      cwd: dir,
      cleanup,
    };
  }
  const supergraph = path.join(dir, 'supergraph.graphql');
  writeFileSync(supergraph, composeSupergraph(readSubgraphSources(subgraphUrls)));
  const hive = packageDir('@graphql-hive/gateway')!;
  const bin = (JSON.parse(readFileSync(path.join(hive, 'package.json'), 'utf8')) as { bin: Record<string, string> })
    .bin['hive-gateway']!;
  const config = kind === 'hive-rust' ? ['-c', HIVE_RUST_CONFIG] : [];
  return {
    command: [
      process.execPath,
      ...nodeFlags,
      path.join(hive, bin),
      ...config,
      'supergraph',
      supergraph,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ],
    cwd: dir,
    cleanup,
  };
}

/** How to tell a peer serves (they have no `/readyz`): it answers a GraphQL `{ __typename }`. */
export const SERVING_PROBE = {
  path: '/graphql',
  init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' },
};

/** The probe that tells gateway `kind` is ready, for waitReady. */
export function readyProbe(kind: GatewayKind): typeof SERVING_PROBE | undefined {
  return kind === 'apollo' ? undefined : SERVING_PROBE;
}
