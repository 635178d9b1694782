// The load balancer of start:scaled and the benchmarks: deploy/nginx.conf or deploy/haproxy.cfg
// with the ports a run uses.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError, type ToolConfig } from '@supergraph-lab/config';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/**
 * The balancers start:scaled can put in front (`--balancer`), each with its file in deploy/ and
 * the line that makes a listener on loopback: the shop's on 8080 and operations' (the admin,
 * cache, metrics and lab routes) on 8081 in the shipped files.
 */
export const BALANCERS = {
  nginx: { file: 'nginx.conf', listen: (port: number) => `listen 127.0.0.1:${port};` },
  haproxy: { file: 'haproxy.cfg', listen: (port: number) => `bind 127.0.0.1:${port}` },
} as const;
export type Balancer = keyof typeof BALANCERS;

/**
 * The balancers named in `raw` (`nginx,haproxy`), `count` of them (a number, or at most two for
 * "or both"), or a UsageError saying what `flag` takes.
 */
export function parseBalancers(raw: string, count: 1 | 2 | 'one or both', flag = '--balancer'): Balancer[] {
  const names = raw.split(',').map((name) => name.trim());
  const counted = count === 'one or both' ? names.length <= 2 : names.length === count;
  if (!counted || new Set(names).size !== names.length || !names.every((name) => Object.hasOwn(BALANCERS, name))) {
    const choices = Object.keys(BALANCERS).join(', ');
    const takes = count === 1 ? `one of ${choices}` : count === 2 ? `two of ${choices}` : `${choices} or both`;
    throw new UsageError(`${flag} takes ${takes}, got "${raw}"`);
  }
  return names as Balancer[];
}

/** Where start:scaled's instances listen: the balancer, the two gateways, the two SSR instances and the lab. */
export interface BalancedPorts {
  /** The shop's listener (pages, GraphQL, REST). */
  balancer: number;
  /** The operations listener (the admin, cache, metrics and lab routes too); `balancer` + 1 unless given. */
  operations?: number;
  gateways: [number, number];
  ssrs: [number, number];
  /** The load lab's process (operations' /lab); 3100, as the file has it, unless given. */
  lab?: number;
}

/** The port of the operations listener in front of `ports`. */
export function operationsPort(ports: BalancedPorts): number {
  return ports.operations ?? ports.balancer + 1;
}

/**
 * The balancer's file (written for 8080 and 8081 in front of 4000/4010, 3000/3010 and the lab's 3100) with
 * `ports` in their places; its listeners stay on loopback.
 */
export function balancerConfig(balancer: Balancer, template: string, ports: BalancedPorts): string {
  const { listen } = BALANCERS[balancer];
  const listeners = [listen(8080), listen(8081)];
  for (const line of listeners)
    if (!template.includes(line)) throw new Error(`deploy/${BALANCERS[balancer].file} has no "${line}" to rewrite`);
  const upstreams: Record<string, number> = {
    4000: ports.gateways[0],
    4010: ports.gateways[1],
    3000: ports.ssrs[0],
    3010: ports.ssrs[1],
    3100: ports.lab ?? 3100,
  };
  // one pass, whole port numbers only: replaced one after another, a new port that begins like
  // an old one (30009 for the balancer, then 3000 replaced) was rewritten again into no port at all
  return template
    .replace(/127\.0\.0\.1:(4000|4010|3000|3010|3100)(?!\d)/g, (_, port: string) => `127.0.0.1:${upstreams[port]}`)
    .replace(listeners[0]!, listen(ports.balancer))
    .replace(listeners[1]!, listen(operationsPort(ports)));
}

/** The command that runs the balancer in the foreground with `confFile` (nginx: relative paths under `prefix`). */
export function balancerCommand(
  balancer: Balancer,
  tools: ToolConfig,
  prefix: string,
  confFile: string,
): [string, ...string[]] {
  return balancer === 'nginx'
    ? [tools.nginxBin, '-p', `${prefix}/`, '-c', confFile, '-g', 'daemon off;']
    : [tools.haproxyBin, '-db', '-f', confFile];
}

/**
 * How an instance behind a balancer stops on SIGTERM (drainAndClose in @supergraph-lab/http),
 * unless the environment says (SHUTDOWN_DRAIN_MS, SHUTDOWN_IDLE_MS):
 * - `drainMs`: serving, not ready, longer than HAProxy's checks take to take it out
 *   (deploy/haproxy.cfg: fall 3, inter 1s, fastinter 300ms: about 1.6 s);
 * - `idleMs`: not accepting, idle connections left to the balancer, longer than it keeps one idle
 *   (deploy/nginx.conf: refused once, nginx leaves the instance out for 5 s; deploy/haproxy.cfg closes those of a server marked down).
 * docker-compose.yml sets the same, and a stop_grace_period above their sum and the timeout.
 */
export const BALANCED_SHUTDOWN = { drainMs: 3000, idleMs: 3000 };

/** The environment start:scaled gives its balanced instances for their drain on SIGTERM. */
export function balancedShutdownEnv(tools: ToolConfig): Record<string, string> {
  return {
    SHUTDOWN_DRAIN_MS: String(tools.shutdownDrainMs ?? BALANCED_SHUTDOWN.drainMs),
    SHUTDOWN_IDLE_MS: String(tools.shutdownIdleMs ?? BALANCED_SHUTDOWN.idleMs),
  };
}

/** The balancer's file from deploy/ with `ports` in their places, written under `dir`; its path. */
export function writeBalancerConfig(balancer: Balancer, ports: BalancedPorts, dir: string): string {
  const { file } = BALANCERS[balancer];
  mkdirSync(dir, { recursive: true });
  const template = readFileSync(path.join(ROOT, 'deploy', file), 'utf8');
  const written = path.join(dir, file);
  writeFileSync(written, balancerConfig(balancer, template, ports));
  return written;
}

/**
 * `balancer` on `port` (operations on `operationsPort`, else `port` + 1) in front of one or two
 * gateway and SSR instances (one instance is named twice: the file's two upstream lines both
 * point at it), in the foreground, its files under `dir`.
 */
export function startBalancer(
  balancer: Balancer,
  options: {
    port: number;
    operationsPort?: number;
    gateways: number[];
    ssrs: number[];
    /** The lab's port; 3100 unless given. */
    lab?: number;
    dir: string;
    tools: ToolConfig;
    stdio?: StdioOptions;
  },
): ChildProcess {
  const pair = (ports: number[]) => [ports[0]!, ports[1] ?? ports[0]!] as [number, number];
  const confFile = writeBalancerConfig(
    balancer,
    {
      balancer: options.port,
      ...(options.operationsPort === undefined ? {} : { operations: options.operationsPort }),
      gateways: pair(options.gateways),
      ssrs: pair(options.ssrs),
      ...(options.lab === undefined ? {} : { lab: options.lab }),
    },
    options.dir,
  );
  const [command, ...args] = balancerCommand(balancer, options.tools, options.dir, confFile);
  return spawn(command, args, { stdio: options.stdio ?? ['ignore', 'ignore', 'inherit'] });
}
