export {
  audit,
  SURFACES,
  type AuditFinding,
  type AuditResult,
  type CreateRecord,
  type PatchRecord,
  type Surface,
} from './audit.ts';
export { FAULT_NAMES, FAULTS, parseFaults, type Fault, type FaultName } from './faults.ts';
export { recoveryMs, windowCounts, type RequestEvent } from './recovery.ts';
export { reportMarkdown, reportTable } from './report.ts';
export { itemsFor, runChaos, type ChaosOptions, type ChaosReport, type FaultResult } from './run.ts';
