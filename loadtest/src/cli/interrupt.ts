/**
 * Ctrl-C stops a run, which still reports what it measured: `signal` is what the run watches,
 * `release()` stops listening once it is over, and a stopped CLI exits 130 (`exitCode`).
 */
export function stopOnCtrlC(message: string): { signal: AbortSignal; release(): void; exitCode(): number } {
  const cancel = new AbortController();
  const stop = () => {
    process.stderr.write(`\nstopping: ${message}\n`);
    cancel.abort();
  };
  process.once('SIGINT', stop);
  return {
    signal: cancel.signal,
    release: () => process.off('SIGINT', stop),
    exitCode: () => (cancel.signal.aborted ? 130 : 0),
  };
}
