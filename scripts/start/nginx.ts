// start:scaled's nginx: deploy/nginx.conf with the ports this run uses.

/** Where start:scaled's instances listen: nginx, the two gateways and the two SSR instances. */
export interface BalancedPorts {
  nginx: number;
  gateways: [number, number];
  ssrs: [number, number];
}

/** deploy/nginx.conf (written for 8080 in front of 4000/4010 and 3000/3010) with `ports` in their places. */
export function nginxConfig(template: string, ports: BalancedPorts): string {
  return template
    .replace('listen 8080;', `listen ${ports.nginx};`)
    .replaceAll('127.0.0.1:4000', `127.0.0.1:${ports.gateways[0]}`)
    .replaceAll('127.0.0.1:4010', `127.0.0.1:${ports.gateways[1]}`)
    .replaceAll('127.0.0.1:3000', `127.0.0.1:${ports.ssrs[0]}`)
    .replaceAll('127.0.0.1:3010', `127.0.0.1:${ports.ssrs[1]}`);
}
