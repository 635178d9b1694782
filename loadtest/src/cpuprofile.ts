// The top frames of a V8 .cpuprofile (node --cpu-prof): where a service's CPU went.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A span of the monotonic clock in µs (`process.hrtime.bigint() / 1000n`, the profile's own clock). */
export type Window = readonly [startUs: number, endUs: number];

/** One function's share of the samples: by itself (self) and with what it called (total). */
export interface FrameShare {
  frame: string;
  selfPercent: number;
  totalPercent: number;
}

/** `name (package/file:line)`, with paths shortened to the package or the repository file. */
function frameName(frame: ProfileNode['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const file = frame.url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('node_modules/');
  const short = modules >= 0 ? file.slice(modules + 'node_modules/'.length) : path.relative(process.cwd(), file);
  return `${name} (${short}:${frame.lineNumber + 1})`;
}

/**
 * Self and inclusive time per function, biggest first, over the samples inside `windows` (all of
 * them when none are given): a window per measured step leaves start-up and warm-up out.
 */
export function summarizeProfile(
  file: string,
  top = 25,
  windows: Window[] = [],
): { self: FrameShare[]; total: FrameShare[]; sampleMs: number } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfMs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (windows.length && !windows.some(([start, end]) => at >= start && at <= end)) return;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const all = [...selfMs.values()].reduce((a, b) => a + b, 0);
  const busy =
    all -
    [...selfMs].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, ms]) => a + ms, 0);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    const name = frameName(node.callFrame);
    self.set(name, (self.get(name) ?? 0) + ms);
    // inclusive: once per distinct function on the stack (recursion counted once)
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      onStack.add(frameName(byId.get(at)!.callFrame));
    for (const frame of onStack) total.set(frame, (total.get(frame) ?? 0) + ms);
  }
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame]) => ({
        frame,
        selfPercent: (100 * (self.get(frame) ?? 0)) / busy,
        totalPercent: (100 * (total.get(frame) ?? 0)) / busy,
      }));
  return { self: rank(self), total: rank(total), sampleMs: busy };
}
