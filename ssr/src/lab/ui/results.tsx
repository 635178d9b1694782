// a step passes when it kept up with p99 < 100 ms and < 1% errors; a row's winner is the passing one with the lowest p99
import { ms as fmt, passes, percent as pct } from '@supergraph-lab/loadtest/format';
import { colorOf } from '@supergraph-lab/loadtest/palette';
import type { StepResult } from './api.ts';

export function Results({ steps, title }: { steps: StepResult[]; title: string }) {
  if (!steps.length) return null;
  const targets = [...new Set(steps.map((step) => step.target))];
  const rates = [...new Set(steps.map((step) => step.offeredRate))].sort((a, b) => a - b);
  return (
    <section className="panel" aria-labelledby="results-title">
      <h2 id="results-title">{title}</h2>
      <div className="scroll">
        <table className="results">
          <thead>
            <tr>
              <th scope="col">offered/s</th>
              {targets.map((target) => (
                <th scope="col" key={target}>
                  <span className="swatch" style={{ background: colorOf(target) }} aria-hidden="true" /> {target}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rates.map((rate) => {
              const row = targets.map((target) =>
                steps.find((step) => step.target === target && step.offeredRate === rate),
              );
              const winner = row
                .filter((step): step is StepResult => Boolean(step && passes(step)))
                .sort((a, b) => a.latency.p99 - b.latency.p99)[0];
              return (
                <tr key={rate}>
                  <th scope="row">{rate}</th>
                  {row.map((step, i) =>
                    step ? (
                      <td
                        key={targets[i]}
                        className={`${step === winner ? 'winner' : ''} ${passes(step) ? '' : 'bad'}`}
                      >
                        {step === winner ? <strong className="badge">fastest</strong> : null}
                        <div>
                          achieved {step.achievedRate.toFixed(step.achievedRate >= 100 ? 0 : 1)}/s
                          {step.saturated ? ' (saturated)' : ''}
                        </div>
                        <div>
                          p50 {fmt(step.latency.p50)} · p90 {fmt(step.latency.p90)} · p99{' '}
                          <strong>{fmt(step.latency.p99)}</strong> ms
                        </div>
                        <div>
                          errors {pct(step.errorRate)}%
                          {step.cacheHitRatio === null ? '' : ` · cache hits ${pct(step.cacheHitRatio)}%`}
                        </div>
                      </td>
                    ) : (
                      <td key={targets[i]}>-</td>
                    ),
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
