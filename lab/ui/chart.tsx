import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  color: string;
  dash?: number[];
}

export interface ChartProps {
  /** Read by screen readers; the numbers are in the tables beside each chart. */
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** uPlot's aligned data: x values, then one array per series (null where it has no value). */
  data: (number | null)[][];
  height?: number;
  /** Log-scale axes (offered rates, latencies spanning decades). */
  xLog?: boolean;
  yLog?: boolean;
  /** Join a line across missing values (default); false leaves a gap where a value is null. */
  spanGaps?: boolean;
}

/** A uPlot line chart that follows its container's width and takes new data without redrawing its frame. */
export function Chart({ title, xLabel, yLabel, series, data, height = 240, xLog, yLog, spanGaps = true }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = JSON.stringify({ series, xLog, yLog, xLabel, yLabel, height, spanGaps });

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(280, element.clientWidth),
      height,
      scales: {
        x: { time: false, ...(xLog ? { distr: 3 } : {}) },
        y: yLog ? { distr: 3 } : { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [{ label: xLabel }, { label: yLabel, size: 60 }],
      series: [
        { label: xLabel },
        ...series.map((one) => ({
          label: one.label,
          stroke: one.color,
          width: 2,
          dash: one.dash,
          spanGaps,
          points: { show: true, size: 5 },
        })),
      ],
      legend: { live: false },
    };
    const chart = new uPlot(options, data as uPlot.AlignedData, element);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(280, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // data is applied by the next effect; the chart is rebuilt only when its shape changes
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  // data-points: how many x values are drawn (the browser test watches it grow)
  return <div ref={box} className="chart" role="img" aria-label={title} data-points={data[0]?.length ?? 0} />;
}

/** Aligns points given per series on a shared, sorted x axis (uPlot's data layout). */
export function align<P>(groups: P[][], x: (point: P) => number, y: (point: P) => number | null): (number | null)[][] {
  const xs = [...new Set(groups.flatMap((group) => group.map(x)))].sort((a, b) => a - b);
  const index = new Map(xs.map((value, i) => [value, i]));
  return [
    xs,
    ...groups.map((group) => {
      const column: (number | null)[] = xs.map(() => null);
      for (const point of group) column[index.get(x(point))!] = y(point);
      return column;
    }),
  ];
}
