// Programs from Debian that some suites need beyond npm's packages. Without one, those suites
// skip with a line saying what to install (docs/testing.md); CI installs both, so it never skips.
import { accessSync, constants } from 'node:fs';
import { readToolConfig } from '@supergraph-lab/config';

const TOOLS = readToolConfig();

/** A program a suite needs, where it is looked for, and the Debian package that provides it. */
export interface Tool {
  name: string;
  path: string;
  debianPackage: string;
  /** The environment variable that points at another copy. */
  env: string;
}

export const CHROMIUM: Tool = {
  name: 'Chromium',
  path: TOOLS.chromiumPath,
  debianPackage: 'chromium',
  env: 'CHROMIUM_PATH',
};
export const NGINX: Tool = {
  name: 'nginx',
  path: TOOLS.nginxBin,
  debianPackage: 'nginx',
  env: 'NGINX_BIN',
};
export const HAPROXY: Tool = {
  name: 'HAProxy',
  path: TOOLS.haproxyBin,
  debianPackage: 'haproxy',
  env: 'HAPROXY_BIN',
};
export const MEMCACHED: Tool = {
  name: 'memcached',
  path: TOOLS.memcachedBin,
  debianPackage: 'memcached',
  env: 'MEMCACHED_BIN',
};
/** A skip reason for `describe`/`test` when the tool is missing, else false (the suite runs). */
export function skipWithout(tool: Tool): string | false {
  try {
    accessSync(tool.path, constants.X_OK);
    return false;
  } catch {
    return `${tool.name} not found at ${tool.path}: apt-get install ${tool.debianPackage} (or set ${tool.env}) to run this suite`;
  }
}
