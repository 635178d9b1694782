import type { LoadProgress, LoadReport } from './tables.ts';

/** Renders load progress: a redrawn bar on a terminal, a plain line every few seconds otherwise. */
export function createProgressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  const started = performance.now();
  let phaseStarted = started;
  let current = '';
  let lastPrint = 0;

  const elapsed = (since: number) => (performance.now() - since) / 1000;
  const write = (line: string, final = false) => {
    if (tty) stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else stream.write(`${line}\n`);
  };

  return {
    update(progress: LoadProgress): void {
      const key = progress.phase === 'copy' ? progress.table : `${progress.phase}:${progress.name}`;
      if (key !== current) {
        if (tty && current) stream.write('\n');
        current = key;
        phaseStarted = performance.now();
        lastPrint = 0;
      }
      const now = performance.now();
      const interval = tty ? 100 : 5000;
      const done = progress.phase === 'copy' && progress.fraction >= 1;
      if (now - lastPrint < interval && !done && progress.phase === 'copy') return;
      lastPrint = now;
      if (progress.phase === 'copy') {
        const seconds = Math.max(elapsed(phaseStarted), 1e-3);
        const rate = progress.rows / seconds;
        const eta = progress.fraction > 0 ? (seconds * (1 - progress.fraction)) / progress.fraction : Number.NaN;
        write(
          `${progress.table.padEnd(8)} ${bar(progress.fraction)} ${(progress.fraction * 100).toFixed(0).padStart(3)}%  ` +
            `${formatCount(progress.rows)} rows  ${formatCount(rate)} rows/s  ETA ${formatSeconds(eta)}`,
        );
      } else {
        write(
          `${progress.phase.padEnd(10)} [${progress.step}/${progress.steps}] ${progress.name}  (${formatSeconds(elapsed(started))} elapsed)`,
        );
      }
    },
    finish(report: LoadReport): void {
      if (tty && current) stream.write('\n');
      for (const table of report.tables) {
        console.log(
          `${table.table.padEnd(8)} ${formatCount(table.rows).padStart(8)} rows in ${table.copySeconds.toFixed(1)} s ` +
            `(${formatCount(table.rows / Math.max(table.copySeconds, 1e-3))} rows/s)`,
        );
      }
      const slowest = [...report.rebuilt].sort((a, b) => b.seconds - a.seconds).slice(0, 4);
      if (slowest.length)
        console.log(`slowest rebuilds: ${slowest.map((o) => `${o.name} ${o.seconds.toFixed(1)} s`).join(', ')}`);
      const rows = report.tables.reduce((sum, table) => sum + table.rows, 0);
      console.log(
        `total    ${formatCount(rows).padStart(8)} rows in ${report.totalSeconds.toFixed(1)} s ` +
          `(${formatCount(rows / report.totalSeconds)} rows/s; indexes and keys ${report.indexSeconds.toFixed(1)} s, ` +
          `analyze ${report.analyzeSeconds.toFixed(1)} s)`,
      );
    },
  };
}

function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.min(Math.max(fraction, 0), 1) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** 1234567 -> "1.23M". */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return String(Math.round(value));
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}
