// The lab's scaled A/B run: one gateway and SSR instance against two of each behind the balancer,
// npm start restarting its front into each when the lab asks (scripts/start.ts), and the verdict.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { portEnvironment, readConfig, SERVICE_NAMES, type ServiceName } from '@supergraph-lab/config';
import type { StepResult } from '@supergraph-lab/loadtest';
import { scratchDatabase } from '@supergraph-lab/stack/processes';
import { pairOfPorts } from '@supergraph-lab/stack/scaled';
import { NGINX, skipWithout } from '@supergraph-lab/stack/tools';
import { eventually, freePort, listening } from '@supergraph-lab/testing';
import { FRONT_VARIANTS, scaledVerdict, type LabState, type RunSummary } from '../src/protocol.ts';
import { createLabService } from '../src/service.tsx';
import { parseLabSettings } from '../src/settings.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** A finished step at `rate`: p99 `p99` ms, `errors` failed of 100. */
const step = (target: string, variant: string, rate: number, p99: number, errors = 0) =>
  ({
    target,
    variant,
    offeredRate: rate,
    achievedRate: rate,
    saturated: false,
    cancelled: false,
    completed: 100,
    errors,
    errorRate: errors / 100,
    latency: { p50: p99 / 2, p90: p99, p99, max: p99 },
  }) as unknown as StepResult;

test('the verdict names the front that sustains the higher rate, per target', () => {
  const { single, scaled } = FRONT_VARIANTS;
  const steps = [
    step('graphql', single, 100, 40),
    step('graphql', single, 200, 250),
    step('graphql', scaled, 100, 30),
    step('graphql', scaled, 200, 60),
    step('ssr', single, 100, 20),
    step('ssr', scaled, 100, 20),
    step('ssr', single, 200, 90),
    step('ssr', scaled, 200, 50, 5),
  ];
  assert.equal(
    scaledVerdict(steps),
    'graphql: two gateways sustain more (200/s with two, 100/s with one); ssr: one gateway sustains more (100/s with two, 200/s with one)',
  );
  // both saturated (a busy machine): the one that answered more, over the rates both ran
  const saturated = (variant: string, achieved: number) => ({
    ...step('graphql', variant, 50, 2000, 50),
    achievedRate: achieved,
  });
  assert.equal(
    scaledVerdict([saturated(single, 8), saturated(scaled, 35), step('graphql', scaled, 10, 20, 1)]),
    'graphql: neither sustains a rate, two gateways answered more (17.5/s with two, 4/s with one, summed over the rates)',
  );
  // a run of one front only has nothing to compare
  assert.equal(scaledVerdict(steps.filter((one) => one.variant === single)), null);
});

test('a scaled A/B run takes twice the time, and needs npm start to restart the front', async () => {
  const settings = { kind: 'load', targets: ['graphql'], rates: [10], durationSeconds: 100, warmupSeconds: 0 };
  assert.equal(parseLabSettings({ ...settings, cacheMode: 'all', scaledAB: true }).kind, 'load');
  // 8 min of steps is within the lab's 15, twice that is not
  assert.throws(
    () => parseLabSettings({ ...settings, rates: [10, 20, 30, 40, 50], cacheMode: 'all', scaledAB: true }),
    /the run would take 17 min/,
  );
  const lab = createLabService(readConfig({ LOG_LEVEL: 'silent', LAB_TOKEN: 'x'.repeat(16) }), { front: null });
  const url = await lab.listen(0);
  try {
    const headers = { authorization: `Bearer ${'x'.repeat(16)}`, 'content-type': 'application/json' };
    const state = (await (await fetch(`${url}/lab/api/state`, { headers })).json()) as LabState;
    assert.match(state.frontSwitchUnavailable ?? '', /not started by npm start/);
    const answer = await fetch(`${url}/lab/api/runs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...settings, durationSeconds: 1, cacheMode: 'all', scaledAB: true }),
    });
    assert.equal(answer.status, 503);
    assert.match(
      ((await answer.json()) as { detail: string }).detail,
      /one gateway against two needs a restart of the stack/,
    );
  } finally {
    await lab.close();
  }
});

test(
  'npm start restarts into two gateways behind nginx for the run, and back, with both fronts measured',
  { skip: skipWithout(NGINX), timeout: 300_000 },
  async () => {
    const database = await scratchDatabase('lab_front', 200);
    const ports = {} as Record<ServiceName | 'lab', number>;
    // the gateway and SSR instances at P and P+10, the balancer at B and B+1 (operations)
    for (const name of SERVICE_NAMES)
      ports[name] = name === 'gateway' || name === 'ssr' ? await pairOfPorts() : await freePort();
    ports.lab = await freePort();
    const balancer = await pairOfPorts();
    const token = 'lab-front-test-token';
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sgl-lab-front-'));
    const child = spawn(process.execPath, ['--import', './scripts/preload.mjs', 'scripts/start.ts'], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...portEnvironment(ports),
        LAB_PORT: String(ports.lab),
        NGINX_PORT: String(balancer),
        DATABASE_URL: database.url,
        CACHE_NAMESPACE: `lab-front-${process.pid}`,
        LAB_TOKEN: token,
        LAB_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const lab = `http://127.0.0.1:${ports.lab}/lab/api`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    try {
      await eventually(
        () => output.includes('Ctrl-C stops everything'),
        120_000,
        () => `npm start:\n${output}`,
      );
      const started = await fetch(`${lab}/runs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          kind: 'load',
          targets: ['graphql', 'ssr'],
          rates: [5],
          durationSeconds: 2,
          warmupSeconds: 1,
          cacheMode: 'all',
          scaledAB: true,
          who: 'front test',
        }),
      });
      assert.equal(started.status, 202, await started.clone().text());
      const { run } = (await started.json()) as { run: { id: number } };
      // while the second front runs, nginx serves the shop's port
      await eventually(
        () => listening(balancer),
        150_000,
        () => `the balancer on ${balancer}:\n${output.slice(-3000)}`,
      );
      const summary = await eventually(
        async () => {
          const { runs } = (await (await fetch(`${lab}/runs`, { headers })).json()) as { runs: RunSummary[] };
          const found = runs.find((one) => one.id === run.id);
          return found && found.status !== 'running' ? found : null;
        },
        200_000,
        () => `run ${run.id} to finish:\n${output.slice(-3000)}`,
      );
      assert.equal(summary.status, 'done', summary.error ?? '');
      const { steps, settings } = (await (await fetch(`${lab}/runs/${run.id}`, { headers })).json()) as {
        steps: StepResult[];
        settings: { notes: string[] };
      };
      for (const variant of Object.values(FRONT_VARIANTS))
        for (const target of ['graphql', 'ssr']) {
          const measured = steps.find((one) => one.target === target && one.variant === variant);
          assert.ok(measured && measured.completed > 0, `${target} on ${variant}: ${JSON.stringify(measured)}`);
          assert.equal(measured.errors, 0, `${target} on ${variant}`);
          // every instance's counters, read from each (the balancer's shop listener has no
          // /metrics); cached pages (cacheMode all) fetch less than the page's three fetches
          const mechanism = JSON.stringify(measured.mechanism);
          assert.equal(typeof measured.mechanism?.fetchesPerRequest, 'number', mechanism);
          assert.ok(measured.mechanism!.cpuMsByService.gateway! > 0, mechanism);
          if (target === 'ssr') assert.ok(measured.mechanism!.cpuMsByService.ssr! > 0, mechanism);
        }
      assert.ok(
        settings.notes.some((note) => note.startsWith('one gateway against two: graphql: ')),
        settings.notes.join('\n'),
      );
      // back on one gateway and one SSR instance: the balancer gone, the instances on their ports
      assert.equal(await listening(balancer), false);
      assert.equal(await listening(ports.gateway + 10), false);
      assert.equal((await fetch(`http://127.0.0.1:${ports.gateway}/readyz`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${ports.ssr}/items/1`)).status, 200);
      assert.match(output, /switching the front to two gateways and two SSR instances behind nginx/);
      assert.match(output, /switching the front to one gateway and one SSR instance/);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
      await eventually(() => child.exitCode !== null, 30_000).catch(() => child.kill('SIGKILL'));
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
