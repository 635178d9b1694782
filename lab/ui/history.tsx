// The runs stored so far: name them, delete them, and overlay the p99 curves of several load runs.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { plottedLatency, stepStatus } from '@supergraph-lab/loadtest/format';
import { colorOf } from '@supergraph-lab/loadtest/palette';
import { api, type LoadTestReport, type OnMessage, type RunSummary, type StepResult } from './api.ts';
import { Chart, align } from './chart.tsx';

/** How many runs one overlay compares: each gets a dash pattern of its own. */
const DASHES: (number[] | undefined)[] = [undefined, [6, 4], [2, 3], [10, 3, 2, 3], [1, 5], [14, 6]];
const DASH_NAMES = ['solid', 'dashed', 'dotted', 'dash-dot', 'sparse dots', 'long dashes'];
export const MAX_COMPARED = DASHES.length;

const runName = (run: Pick<RunSummary, 'id' | 'label'>) =>
  run.label ? `run ${run.id} "${run.label}"` : `run ${run.id}`;

export function History({
  runs,
  onChanged,
  onMessage,
}: {
  runs: RunSummary[];
  onChanged: () => void;
  onMessage: OnMessage;
}) {
  const [picked, setPicked] = useState<number[]>([]);
  const [reports, setReports] = useState<{ id: number; report: LoadTestReport }[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (picked.length < 2) {
      setReports([]);
      return;
    }
    Promise.all(picked.map(async (id) => ({ id, report: await api<LoadTestReport>(`/lab/api/runs/${id}`) }))).then(
      (loaded) => {
        setError(null);
        setReports(loaded);
      },
      (failure: Error) => setError(failure.message),
    );
  }, [picked.join(',')]);
  // a deleted run leaves the comparison
  useEffect(() => setPicked((list) => list.filter((id) => runs.some((run) => run.id === id))), [runs]);
  const pick = (id: number) =>
    setPicked((list) =>
      list.includes(id) ? list.filter((one) => one !== id) : [...list.slice(-(MAX_COMPARED - 1)), id],
    );

  const overlay = useMemo(() => {
    if (reports.length < 2) return null;
    const series: { label: string; color: string; dash?: number[]; steps: StepResult[] }[] = [];
    const hidden: string[] = [];
    reports.forEach(({ id, report }, index) => {
      const name = runName(runs.find((run) => run.id === id) ?? { id, label: null });
      for (const target of [...new Set(report.steps.map((step) => step.target))]) {
        const steps = report.steps.filter((step) => step.target === target);
        series.push({ label: `${name} ${target}`, color: colorOf(target), dash: DASHES[index], steps });
        for (const step of steps)
          if (plottedLatency(step, step.latency.p99) === null)
            hidden.push(`${name} ${target} at ${step.offeredRate}/s (${stepStatus(step).text})`);
      }
    });
    return {
      series,
      hidden,
      title: `p99 latency vs offered rate: ${reports
        .map(
          ({ id }, index) =>
            `${runName(runs.find((run) => run.id === id) ?? { id, label: null })} (${DASH_NAMES[index]})`,
        )
        .join(', ')}`,
      data: align(
        series.map((one) => one.steps),
        (step) => step.offeredRate,
        (step) => plottedLatency(step, step.latency.p99),
      ),
    };
  }, [reports, runs]);

  async function remove(run: RunSummary) {
    if (!globalThis.confirm(`Delete ${runName(run)} and its report?`)) return;
    try {
      await api(`/lab/api/runs/${run.id}`, { method: 'DELETE' });
      onMessage({ kind: 'info', text: `Run ${run.id} deleted.` });
      onChanged();
    } catch (failure) {
      onMessage({ kind: 'error', text: (failure as Error).message });
    }
  }

  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      {runs.length === 0 ? (
        <p>No runs yet.</p>
      ) : (
        <div className="scroll short">
          <table className="history">
            <thead>
              <tr>
                <th scope="col">compare</th>
                <th scope="col">run</th>
                <th scope="col">label</th>
                <th scope="col">started</th>
                <th scope="col">by</th>
                <th scope="col">targets or variants</th>
                <th scope="col">rates</th>
                <th scope="col">cache / batching</th>
                <th scope="col">status</th>
                <th scope="col">export</th>
                <th scope="col">delete</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => {
                const finished = run.status !== 'running';
                return (
                  <tr key={run.id} data-run={run.id}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`compare run ${run.id}`}
                        checked={picked.includes(run.id)}
                        onChange={() => pick(run.id)}
                        disabled={!finished || run.status === 'failed' || run.settings.kind === 'browser'}
                      />
                    </td>
                    <td>{run.id}</td>
                    <td>
                      {finished ? (
                        <LabelForm run={run} onChanged={onChanged} onMessage={onMessage} />
                      ) : (
                        (run.label ?? '')
                      )}
                    </td>
                    <td>{new Date(run.startedAt).toLocaleString()}</td>
                    <td>{run.who}</td>
                    {run.settings.kind === 'browser' ? (
                      <>
                        <td>browser: {run.settings.variants.join(', ')}</td>
                        <td>{run.settings.backgroundRate} in the background</td>
                      </>
                    ) : (
                      <>
                        <td>{run.settings.targets.join(', ')}</td>
                        <td>{run.settings.rates.join(', ')}</td>
                      </>
                    )}
                    <td>
                      {run.settings.cacheMode} / {run.settings.batching ? 'on' : 'off'}
                    </td>
                    <td title={run.error ?? ''}>{run.status}</td>
                    <td>
                      {run.status === 'done' || run.status === 'cancelled' ? (
                        <>
                          <a href={`/lab/api/runs/${run.id}`} download={`lab-run-${run.id}.json`}>
                            JSON
                          </a>{' '}
                          <a href={`/lab/api/runs/${run.id}/report.html`} target="_blank" rel="noopener">
                            HTML
                          </a>
                        </>
                      ) : null}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="small"
                        aria-label={`delete run ${run.id}`}
                        disabled={!finished}
                        onClick={() => remove(run)}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <p className="hint">
        Tick two to {MAX_COMPARED} load runs to overlay their p99 latency against offered rate, one line style per run.
        Steps with more than 1% errors are left out of the curves and named below it.
      </p>
      {error ? <p className="warning">{error}</p> : null}
      {overlay ? (
        <>
          <Chart
            title={overlay.title}
            xLabel="offered requests/s"
            yLabel="p99 ms"
            series={overlay.series}
            data={overlay.data}
            xLog
            yLog
            spanGaps={false}
            height={260}
          />
          <p className="hint">{overlay.title}.</p>
          {overlay.hidden.length ? (
            <p className="not-plotted" data-testid="not-plotted">
              Not plotted, failing: {overlay.hidden.join('; ')}.
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

/** A run's name, edited in place: Enter or Save stores it, an empty one removes it. */
function LabelForm({ run, onChanged, onMessage }: { run: RunSummary; onChanged: () => void; onMessage: OnMessage }) {
  const [label, setLabel] = useState(run.label ?? '');
  useEffect(() => setLabel(run.label ?? ''), [run.label]);
  async function save(event: FormEvent) {
    event.preventDefault();
    try {
      await api(`/lab/api/runs/${run.id}`, { method: 'PATCH', body: { label } });
      onChanged();
    } catch (failure) {
      onMessage({ kind: 'error', text: (failure as Error).message });
    }
  }
  return (
    <form className="label-form" onSubmit={save}>
      <input
        aria-label={`label of run ${run.id}`}
        value={label}
        maxLength={80}
        size={14}
        placeholder="name it"
        onChange={(event) => setLabel(event.target.value)}
      />
      <button type="submit" className="small" disabled={label === (run.label ?? '')}>
        Save
      </button>
    </form>
  );
}
