import { useMemo } from 'react';
import { colorOf } from '@supergraph-lab/loadtest/palette';
import { type LabState, type LivePoint, type OnMessage, type RunStatus } from './api.ts';
import { Chart, align } from './chart.tsx';
import { RunProgress } from './controls.tsx';

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
  // the three live charts: one value of the same points, per target and second
  const { rps, latency, median } = useMemo(() => {
    const byTime = (field: 'okPerSecond' | 'p99' | 'p50') =>
      align(
        groups,
        (point) => point.t,
        (point) => point[field],
      );
    return { rps: byTime('okPerSecond'), latency: byTime('p99'), median: byTime('p50') };
  }, [points, run?.id]);
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
          <Chart
            title="successful requests per second over time, per target"
            xLabel="seconds"
            yLabel="ok/s"
            series={series}
            data={rps}
            height={180}
          />
          <Chart
            title="p99 latency over time, per target"
            xLabel="seconds"
            yLabel="p99 ms"
            series={series}
            data={latency}
            height={180}
          />
          <Chart
            title="p50 latency over time, per target"
            xLabel="seconds"
            yLabel="p50 ms"
            series={series}
            data={median}
            height={180}
          />
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
