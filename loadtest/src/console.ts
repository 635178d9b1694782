import type { RunEvent } from './run.ts';
import { errorLines, progressLine, stepHeader, stepRow } from './report/terminal.ts';

/**
 * Prints a run as it goes: a progress line redrawn each second on a terminal (stderr), and a
 * table row per measured step (stdout), with its first error samples.
 */
export function consoleReporter(
  out: NodeJS.WriteStream = process.stdout,
  progress: NodeJS.WriteStream = process.stderr,
) {
  let header = false;
  let drawn = false;
  const clear = () => {
    if (drawn) progress.write('\r\x1b[2K');
    drawn = false;
  };
  return (event: RunEvent) => {
    if (!header) {
      out.write(`${stepHeader()}\n`);
      header = true;
    }
    if (event.type === 'tick' && progress.isTTY) {
      clear();
      progress.write(
        progressLine(
          `${event.target}${event.variant ? ` (${event.variant})` : ''} @ ${event.rate}/s`,
          event.phase,
          event.tick,
        ),
      );
      drawn = true;
    } else if (event.type === 'step') {
      clear();
      out.write(`${stepRow(event.step)}\n`);
      for (const line of errorLines(event.step)) out.write(`${line}\n`);
    }
  };
}
