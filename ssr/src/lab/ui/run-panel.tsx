import { useMemo } from 'react';
import { colorOf } from '@supergraph-lab/loadtest/palette';
import { type LabState, type LivePoint, type OnMessage, type RunStatus } from './api.ts';
import { Chart, align } from './chart.tsx';
import { RunProgress } from './controls.tsx';

const LIVE_CHARTS = [
  { field: 'okPerSecond', title: 'successful requests per second over time, per target', yLabel: 'ok/s' },
  { field: 'p99', title: 'p99 latency over time, per target', yLabel: 'p99 ms' },
  { field: 'p50', title: 'p50 latency over time, per target', yLabel: 'p50 ms' },
] as const;

export function RunPanel({
  run,
  points,
  targets,
  onMessage,
}: {
  run: RunStatus | null;
  points: LivePoint[];
  targets: LabState['targets'];
  onMessage: OnMessage;
}) {
  const settings = run?.settings.kind === 'load' ? run.settings : null;
  const shown = settings ? targets.filter((target) => settings.targets.includes(target.name)) : [];
  const groups = shown.map((target) => points.filter((point) => point.target === target.name));
  const series = shown.map((target) => ({ label: target.label, color: colorOf(target.name) }));
  // the live charts: one value of the same points each, per target and second
  const charts = useMemo(
    () =>
      LIVE_CHARTS.map((chart) => ({
        ...chart,
        data: align(
          groups,
          (point) => point.t,
          (point) => point[chart.field],
        ),
      })),
    [points, run?.id],
  );
  const errors = shown.map((target) => ({
    target,
    errors: points
      .filter((point) => point.target === target.name)
      .reduce((max, point) => Math.max(max, point.errors), 0),
  }));

  return (
    <section className="panel" aria-labelledby="run-title">
      <h2 id="run-title">Run</h2>
      {!run ? (
        <p>No run in progress.</p>
      ) : !settings ? (
        <p>
          Run {run.id} by {run.who} loads pages in a browser: follow it under{' '}
          <a href="#browser-title">Page load in a browser</a>.
        </p>
      ) : (
        <>
          <p>
            Run {run.id} by {run.who}: <strong>{run.state}</strong>
            {run.phase
              ? ` · ${run.phase.phase === 'warmup' ? 'warming up' : 'measuring'} ${run.phase.target} at ${run.phase.rate}/s (step ${run.phase.stepIndex + 1} of ${run.phase.stepCount})`
              : ''}
          </p>
          <RunProgress run={run} label="run progress" cancelLabel="Cancel" onMessage={onMessage} />
          {charts.map((chart) => (
            <Chart
              key={chart.field}
              title={chart.title}
              xLabel="seconds"
              yLabel={chart.yLabel}
              series={series}
              data={chart.data}
              height={180}
            />
          ))}
          <table className="compact">
            <caption>Errors so far (current step)</caption>
            <tbody>
              {errors.map(({ target, errors: count }) => (
                <tr key={target.name}>
                  <th scope="row">{target.label}</th>
                  <td className={count ? 'bad' : ''}>{count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
