// The load run in progress, or the last one once it has ended: its live charts beside its results.
import { useMemo } from 'react';
import { colorOf } from '@supergraph-lab/loadtest/palette';
import { describePhase } from '../src/protocol.ts';
import type { LabState, LivePoint, LoadRun, OnMessage, RunStatus, StepResult } from './api.ts';
import { Chart, align } from './chart.tsx';
import { RunProgress } from './controls.tsx';
import { Results } from './results.tsx';

const LATENCY_CHARTS = [
  { field: 'p99', title: 'p99 latency over time, per target', yLabel: 'p99 ms' },
  { field: 'p50', title: 'p50 latency over time, per target', yLabel: 'p50 ms' },
] as const;
const ERRORS_DASH = [4, 3];

export function RunPanel({
  run,
  loadRun,
  points,
  steps,
  targets,
  onMessage,
}: {
  run: RunStatus | null;
  loadRun: LoadRun | null;
  points: LivePoint[];
  steps: StepResult[];
  targets: LabState['targets'];
  onMessage: OnMessage;
}) {
  const current = run?.settings.kind === 'load' ? run : null;
  const shown = loadRun ? targets.filter((target) => loadRun.settings.targets.includes(target.name)) : [];
  const groups = shown.map((target) => points.filter((point) => point.target === target.name));
  // the live charts: one value of the same points each, per target and second
  const charts = useMemo(() => {
    return {
      // successes solid, errors dashed, in each target's colour
      answers: {
        series: shown.flatMap((target) => [
          { label: `${target.label} ok`, color: colorOf(target.name) },
          { label: `${target.label} errors`, color: colorOf(target.name), dash: ERRORS_DASH },
        ]),
        data: align(
          groups.flatMap((group) => [
            group.map((point) => ({ t: point.t, value: point.okPerSecond })),
            group.map((point) => ({ t: point.t, value: point.errorsPerSecond })),
          ]),
          (point) => point.t,
          (point) => point.value,
        ),
      },
      latency: LATENCY_CHARTS.map((chart) => ({
        ...chart,
        data: align(
          groups,
          (point) => point.t,
          (point) => point[chart.field],
        ),
      })),
    };
  }, [points, loadRun?.id]);
  const series = shown.map((target) => ({ label: target.label, color: colorOf(target.name) }));
  const errors = shown.map((target, i) => ({
    target,
    errors: groups[i]!.reduce((max, point) => Math.max(max, point.errors), 0),
  }));

  return (
    <section className="panel" aria-labelledby="run-title">
      <h2 id="run-title">Run</h2>
      {run && !current ? (
        <p>
          Run {run.id} by {run.who} loads pages in a browser: follow it under{' '}
          <a href="#browser-title">Page load in a browser</a>.
        </p>
      ) : null}
      {!loadRun ? (
        <p>No load run yet: configure one and start it.</p>
      ) : (
        <>
          <p className="run-line">
            Run {loadRun.id} by {loadRun.who}: <strong>{current ? current.state : loadRun.state}</strong>
            {current?.phase ? ` · ${describePhase(current.phase)}` : ''}
            {loadRun.error ? ` · ${loadRun.error}` : ''}
          </p>
          {current ? (
            <RunProgress run={current} label="run progress" cancelLabel="Cancel" onMessage={onMessage} />
          ) : null}
          <div className="run-body">
            <div className="live">
              <Chart
                title="answers per second over time, per target: ok solid, errors dashed"
                xLabel="seconds"
                yLabel="answers/s"
                series={charts.answers.series}
                data={charts.answers.data}
                height={150}
              />
              {charts.latency.map((chart) => (
                <Chart
                  key={chart.field}
                  title={chart.title}
                  xLabel="seconds"
                  yLabel={chart.yLabel}
                  series={series}
                  data={chart.data}
                  height={150}
                />
              ))}
              <p className="hint">Latency is not plotted for a second in which more than 1% of answers failed.</p>
              {current ? (
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
              ) : null}
            </div>
            {steps.length ? (
              <Results
                steps={steps}
                title={current ? `Run ${loadRun.id}: results so far` : `Run ${loadRun.id}: results`}
              />
            ) : (
              <p className="hint">
                Results appear here as each step ends: each target's status, latency and errors by reason, and the
                verdict per rate.
              </p>
            )}
          </div>
        </>
      )}
    </section>
  );
}
