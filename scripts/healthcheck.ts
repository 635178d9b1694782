// The production image's HEALTHCHECK (compiled to dist/healthcheck.js [PID]): one image runs every
// service, the command picking which, so the check asks the process the container runs (pid 1
// unless told) which bundle it is, then that service's /healthz on its port variable. Exits 0
// when it answers 200.
import { readFileSync } from 'node:fs';
import { BUNDLES, bundleFile, readConfig } from '@supergraph-lab/config';

const TIMEOUT_MS = 2000;

/** The bundle `cmdline` (NUL-separated, as /proc/<pid>/cmdline has it) runs, or undefined. */
function bundleOf(cmdline: string): string | undefined {
  const args = cmdline.split('\0');
  return BUNDLES.find(({ name }) => args.some((arg) => arg.endsWith(bundleFile(name))))?.name;
}

const pid = process.argv[2] ?? '1';
const name = bundleOf(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
const ports: Record<string, number> = readConfig().ports;
const port = name === undefined ? undefined : ports[name];
if (port === undefined) {
  console.error(`healthcheck: pid ${pid} runs no service of the image (${name ?? 'no bundle of dist/'})`);
  process.exit(1);
}
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`healthcheck: ${name} on ${port}: ${(error as Error).message}`);
  process.exit(1);
}
