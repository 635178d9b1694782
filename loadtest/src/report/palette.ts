/** One colour per target, in TARGETS order: the same in the HTML report, the chart in docs/benchmarks.md and the lab. */
export const TARGET_COLORS: Record<string, string> = {
  graphql: '#1f77b4',
  rest: '#e6550d',
  'rest-gateway': '#2ca02c',
  ssr: '#d62728',
  'ssr-rest': '#9467bd',
  'rest-post': '#8c564b',
  'graphql-mutation': '#d6359a',
};

const FALLBACK = ['#17becf', '#7f7f7f', '#bcbd22'];

export const colorOf = (target: string, index = 0) => TARGET_COLORS[target] ?? FALLBACK[index % FALLBACK.length]!;
