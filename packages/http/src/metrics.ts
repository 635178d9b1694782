import type { Histogram } from 'prom-client';

/**
 * `observe(value, ...labelValues)` on a histogram, through one labelled child per combination of
 * label values, kept: prom-client hashes a label object on every plain `observe`. For label sets
 * the service bounds itself (routes, statuses, the operation names it keeps).
 */
export function histogramObserver<Label extends string>(
  histogram: Histogram<Label>,
): (value: number, ...labelValues: string[]) => void {
  const children = new Map<string, ReturnType<Histogram<Label>['labels']>>();
  return (value, ...labelValues) => {
    const key = labelValues.join('\u0000');
    let child = children.get(key);
    if (!child) children.set(key, (child = histogram.labels(...labelValues)));
    child.observe(value);
  };
}
