/**
 * How benchmarks and the load tester pick item ids (docs/contract.md): at random, biased to the
 * newest 10% of the id range, where a shop's traffic concentrates. `random` returns [0, 1).
 */
export function biasedItemId(maxId: number, random: () => number = Math.random, newestShare = 0.8): number {
  if (!(maxId >= 1)) throw new RangeError(`maxId must be >= 1, got ${maxId}`);
  const newestFrom = Math.max(1, Math.floor(maxId * 0.9) + 1);
  if (random() < newestShare) return newestFrom + Math.floor(random() * (maxId - newestFrom + 1));
  return 1 + Math.floor(random() * maxId);
}
