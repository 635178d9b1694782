import { TARGETS, TARGET_NAMES } from './targets.ts';

const READ_TARGETS = TARGETS.filter((target) => !target.write).map((target) => target.name);

/** `graphql,rest` / `reads` / `all` to target names; unknown names are an error listing the known ones. */
export function parseTargets(text: string): string[] {
  const names = text.split(',').flatMap((part) => {
    const name = part.trim();
    if (name === 'all') return TARGET_NAMES;
    if (name === 'reads') return READ_TARGETS;
    return [name];
  });
  const unknown = names.filter((name) => !TARGET_NAMES.includes(name));
  if (unknown.length)
    throw new Error(
      `--target: unknown ${unknown.map((name) => `"${name}"`).join(', ')}; choose from ${TARGET_NAMES.join(', ')}, reads or all`,
    );
  if (!names.length) throw new Error('--target: name at least one target');
  return [...new Set(names)];
}

/** `1,10,100,1000` to rates; each must be a positive number. */
export function parseRates(text: string): number[] {
  const rates = text.split(',').map((part) => Number(part.trim()));
  const bad = rates.find((rate) => !(rate > 0) || rate > 100_000);
  if (bad !== undefined)
    throw new Error(`--rps: each rate must be a number of requests/s between 0 and 100000, got "${text}"`);
  return rates;
}

/** A positive number for option `name`, within `max`. */
export function positive(name: string, text: string, max: number): number {
  const value = Number(text);
  if (!(value > 0) || value > max) throw new Error(`--${name} must be a number > 0 and <= ${max}, got "${text}"`);
  return value;
}

/** A non-negative number for option `name`, within `max`. */
export function nonNegative(name: string, text: string, max: number): number {
  const value = Number(text);
  if (!(value >= 0) || value > max) throw new Error(`--${name} must be a number >= 0 and <= ${max}, got "${text}"`);
  return value;
}
