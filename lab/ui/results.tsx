// A load run's results: a cell per target and rate with its status, its verdict and why, and its errors by reason.
import {
  actualText,
  errorReasonsOf,
  fastest,
  ms as fmt,
  percent as pct,
  reasonLabel,
  seriesName,
  stepStatus,
  VERDICT_RULE,
  whyLine,
} from '@supergraph-lab/loadtest/format';
import { colorOf } from '@supergraph-lab/loadtest/palette';
import { scaledVerdict } from '../src/protocol.ts';
import type { StepResult } from './api.ts';

/** How much of an error's sample body the page shows. */
const SAMPLE_CHARS = 240;

export function Results({ steps, title }: { steps: StepResult[]; title: string }) {
  if (!steps.length) return null;
  // a series per target, and per variant when there are several (a scaled A/B run's two fronts)
  const targets = [...new Set(steps.map((step) => seriesName(step)))];
  const verdict = scaledVerdict(steps);
  const rates = [...new Set(steps.map((step) => step.offeredRate))].sort((a, b) => a - b);
  const failing = steps.filter((step) => step.errors > 0);
  const thresholds = steps.find((step) => step.thresholds?.length)?.thresholds?.map((result) => result.threshold);
  return (
    <div className="results-box">
      <h3 id="results-title">{title}</h3>
      <p className="verdict-rule" data-testid="verdict-rule">
        Verdict per rate, {VERDICT_RULE}.
      </p>
      {verdict ? (
        <p className="verdict-rule" data-testid="scaled-verdict">
          One gateway against two: {verdict}.
        </p>
      ) : null}
      {thresholds ? (
        <p className="verdict-rule" data-testid="threshold-rule">
          Thresholds, as <code>npm run loadtest -- --threshold</code> judges them: {thresholds.join(' · ')}; a step
          passes when all hold.
        </p>
      ) : null}
      <div className="scroll">
        <table className="results" aria-labelledby="results-title">
          <thead>
            <tr>
              <th scope="col">offered/s</th>
              {targets.map((target) => (
                <th scope="col" key={target}>
                  <span
                    className="swatch"
                    style={{ background: colorOf(steps.find((step) => seriesName(step) === target)!.target) }}
                    aria-hidden="true"
                  />{' '}
                  {target}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rates.map((rate) => {
              const row = targets.map((target) =>
                steps.find((step) => seriesName(step) === target && step.offeredRate === rate),
              );
              const winner = fastest(row.filter((step): step is StepResult => Boolean(step)));
              return (
                <tr key={rate}>
                  <th scope="row">{rate}</th>
                  {row.map((step, i) =>
                    step ? (
                      <StepCell key={targets[i]} step={step} winner={step === winner} />
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
      {failing.length ? (
        <div className="errors">
          <h3>Errors by reason</h3>
          <ul>
            {failing.map((step) => (
              <li key={`${seriesName(step)}@${step.offeredRate}`}>
                <strong>
                  {seriesName(step)} at {step.offeredRate}/s
                </strong>
                : {stepStatus(step).text}, {step.errors} of {step.completed}
                <ul>
                  {errorReasonsOf(step).map((reason) => (
                    <li key={`${reason.kind} ${reason.status ?? ''}`} className="reason">
                      <strong>{reasonLabel(reason)}</strong> ×{reason.count}
                      {reason.sample.url ? (
                        <>
                          {' '}
                          from <code>{reason.sample.url}</code>
                        </>
                      ) : null}
                      <pre className="sample">{reason.sample.message.slice(0, SAMPLE_CHARS)}</pre>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

function StepCell({ step, winner }: { step: StepResult; winner: boolean }) {
  const status = stepStatus(step);
  return (
    <td className={`${status.kind} ${winner ? 'winner' : ''}`} data-status={status.kind}>
      {winner ? <strong className="badge">fastest</strong> : null}
      {status.kind === 'ok' ? null : <strong className="status">{status.text}</strong>}
      <div>achieved {step.achievedRate.toFixed(step.achievedRate >= 100 ? 0 : 1)}/s</div>
      <div>
        p50 {fmt(step.latency.p50)} · p90 {fmt(step.latency.p90)} · p99 <strong>{fmt(step.latency.p99)}</strong> ms
      </div>
      <div>errors {pct(step.errorRate)}%</div>
      <div className="why">{whyLine(step)}</div>
      <ThresholdLine step={step} />
    </td>
  );
}

/** The step against the run's thresholds: pass, or FAIL with each threshold it missed and its figure. */
function ThresholdLine({ step }: { step: StepResult }) {
  if (!step.thresholds?.length) return null;
  const missed = step.thresholds.filter((result) => !result.passed);
  return (
    <div className={`thresholds ${missed.length ? 'fail' : 'pass'}`} data-testid="thresholds">
      {missed.length
        ? `thresholds FAIL: ${missed.map((result) => `${result.threshold} (${actualText(result)})`).join(', ')}`
        : 'thresholds pass'}
    </div>
  );
}
