// start:scaled's load balancer: deploy/nginx.conf or deploy/haproxy.cfg with the ports this run uses.
import type { ToolConfig } from '@supergraph-lab/config';

/** The balancers start:scaled can put in front (`--balancer`), each with its file in deploy/. */
export const BALANCERS = {
  nginx: { file: 'nginx.conf', listen: (port: number) => `listen ${port};` },
  haproxy: { file: 'haproxy.cfg', listen: (port: number) => `bind :${port}` },
} as const;
export type Balancer = keyof typeof BALANCERS;

/** Where start:scaled's instances listen: the balancer, the two gateways and the two SSR instances. */
export interface BalancedPorts {
  balancer: number;
  gateways: [number, number];
  ssrs: [number, number];
}

/** The balancer's file (written for 8080 in front of 4000/4010 and 3000/3010) with `ports` in their places. */
export function balancerConfig(balancer: Balancer, template: string, ports: BalancedPorts): string {
  const { listen } = BALANCERS[balancer];
  return template
    .replace(listen(8080), listen(ports.balancer))
    .replaceAll('127.0.0.1:4000', `127.0.0.1:${ports.gateways[0]}`)
    .replaceAll('127.0.0.1:4010', `127.0.0.1:${ports.gateways[1]}`)
    .replaceAll('127.0.0.1:3000', `127.0.0.1:${ports.ssrs[0]}`)
    .replaceAll('127.0.0.1:3010', `127.0.0.1:${ports.ssrs[1]}`);
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
