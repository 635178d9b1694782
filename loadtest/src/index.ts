export { LatencyHistogram, median, percentile, type LatencySummary } from './histogram.ts';
export {
  createAgent,
  exchange,
  loadPage,
  parseServerTiming,
  type ErrorSample,
  type Exchange,
  type Outcome,
  type RequestSpec,
} from './http.ts';
export {
  runClosedLoop,
  runStep,
  SATURATION_SHARE,
  type ClosedLoopMeasurement,
  type ErrorReason,
  type StepMeasurement,
  type StepMechanism,
  type StepOptions,
  type Tick,
} from './step.ts';
export {
  endpointsAt,
  endpointsFromEnv,
  itemIds,
  TARGETS,
  TARGET_NAMES,
  targetNamed,
  type Endpoints,
  type Target,
} from './targets.ts';
export {
  discoverMaxItemId,
  loadPages,
  machineInfo,
  primeCaches,
  runLoadTest,
  type LoadTestReport,
  type RunEvent,
  type RunOptions,
  type StepResult,
} from './run.ts';
export {
  mechanismBetween,
  metricTotals,
  readCounters,
  type CounterSnapshot,
  type MetricsSources,
} from './mechanism.ts';
export {
  evaluateThresholds,
  parseThreshold,
  parseThresholds,
  type Threshold,
  type ThresholdResult,
} from './thresholds.ts';
export { renderHtmlReport, summarySvg } from './report/html.ts';
export {
  comparisonMarkdown,
  fastest,
  passes,
  stepStatus,
  sustainedRate,
  VERDICT_RULE,
  type StepStatus,
} from './report/format.ts';
export { comparisonTable } from './report/terminal.ts';
export { nonNegative, parseRates, parseTargets, positive } from './options.ts';
export { consoleReporter } from './console.ts';
export { cpuSnapshot, cpuSpent, pidsNamed, postgresBackendsOf, type CpuGroups } from './cpu.ts';
export { summarizeProfile, type Window } from './cpuprofile.ts';
export { reportPage, writeReportFiles } from './report/page.ts';
export { escapeXml } from './report/svg.ts';
export { stopOnCtrlC } from './cli/interrupt.ts';
export {
  BROWSER_VARIANTS,
  browserUnavailable,
  NETWORK_PROFILES,
  runBrowserBench,
  VARIANT_NAMES,
  type BackgroundResult,
  type BrowserBenchOptions,
  type BrowserBenchResult,
  type BrowserVariant,
  type NetworkProfile,
  type PageLoad,
} from './browser/bench.ts';
export { browserTable, renderBrowserReport, type BrowserBenchReport } from './browser/report.ts';
export { rollingStops, type RollingLoad, type StopResult } from './rolling.ts';
