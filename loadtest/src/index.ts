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
  machineInfo,
  runLoadTest,
  type LoadTestReport,
  type RunEvent,
  type RunOptions,
  type StepResult,
} from './run.ts';
export { mechanismBetween, metricTotals, readCounters, type CounterSnapshot } from './mechanism.ts';
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
export { parseRates, parseTargets } from './options.ts';
export {
  BROWSER_VARIANTS,
  browserUnavailable,
  runBrowserBench,
  VARIANT_NAMES,
  type BackgroundResult,
  type BrowserBenchOptions,
  type BrowserBenchResult,
  type BrowserVariant,
  type PageLoad,
} from './browser/bench.ts';
export { renderBrowserReport, type BrowserBenchReport } from './browser/report.ts';
