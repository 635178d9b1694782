// How long a planned load test takes: one formula for the CLIs, the lab's limit and its form.

/** The seconds a run of these steps takes: every target at every rate, each warmed up then measured. */
export const runSeconds = (plan: {
  targets: readonly unknown[];
  rates: readonly unknown[];
  durationSeconds: number;
  warmupSeconds: number;
}) => plan.targets.length * plan.rates.length * (plan.durationSeconds + plan.warmupSeconds);
