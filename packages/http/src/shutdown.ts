/**
 * Runs `stop` once on the first SIGINT or SIGTERM, then exits 0 (1 if stopping failed). The
 * listeners stay registered: under `node --import tsx`, a signal that finds no listener of ours
 * is re-raised by tsx and kills the process mid-drain. A second signal while stopping is ignored.
 */
export function onStopSignal(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}
