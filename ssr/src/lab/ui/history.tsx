import { useEffect, useMemo, useState } from 'react';
import { colorOf } from '@supergraph-lab/loadtest/palette';
import { api, type LoadTestReport, type RunSummary, type StepResult } from './api.ts';
import { Chart, align } from './chart.tsx';

export function History({ runs }: { runs: RunSummary[] }) {
  const [picked, setPicked] = useState<number[]>([]);
  const [reports, setReports] = useState<LoadTestReport[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (picked.length !== 2) {
      setReports([]);
      return;
    }
    Promise.all(picked.map((id) => api<LoadTestReport>(`/lab/api/runs/${id}`))).then(setReports, (failure: Error) =>
      setError(failure.message),
    );
  }, [picked.join(',')]);
  const pick = (id: number) =>
    setPicked((list) => (list.includes(id) ? list.filter((one) => one !== id) : [...list.slice(-1), id]));

  const overlay = useMemo(() => {
    if (reports.length !== 2) return null;
    const series: { label: string; color: string; dash?: number[]; steps: StepResult[] }[] = [];
    reports.forEach((report, index) => {
      const id = picked[index];
      for (const target of [...new Set(report.steps.map((step) => step.target))]) {
        series.push({
          label: `run ${id} ${target}`,
          color: colorOf(target),
          dash: index ? [6, 4] : undefined,
          steps: report.steps.filter((step) => step.target === target),
        });
      }
    });
    return {
      series,
      data: align(
        series.map((one) => one.steps),
        (step) => step.offeredRate,
        (step) => step.latency.p99,
      ),
    };
  }, [reports]);

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
                <th scope="col">started</th>
                <th scope="col">by</th>
                <th scope="col">targets or variants</th>
                <th scope="col">rates</th>
                <th scope="col">cache / batching</th>
                <th scope="col">status</th>
                <th scope="col">export</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => (
                <tr key={run.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`compare run ${run.id}`}
                      checked={picked.includes(run.id)}
                      onChange={() => pick(run.id)}
                      disabled={run.status === 'running' || run.status === 'failed' || run.settings.kind === 'browser'}
                    />
                  </td>
                  <td>{run.id}</td>
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
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="hint">
        Tick two load runs to overlay their p99 latency against offered rate (the second run dashed).
      </p>
      {error ? <p className="warning">{error}</p> : null}
      {overlay ? (
        <Chart
          title={`p99 latency vs offered rate: run ${picked[0]} (solid) against run ${picked[1]} (dashed)`}
          xLabel="offered requests/s"
          yLabel="p99 ms"
          series={overlay.series}
          data={overlay.data}
          xLog
          yLog
          height={260}
        />
      ) : null}
    </section>
  );
}
