import { CACHE_MODES, CACHE_STORES } from '@supergraph-lab/config';
import { badInput, parseInput } from '@supergraph-lab/http';
import { parseThresholds, targetNamed, TARGET_NAMES, VARIANT_NAMES } from '@supergraph-lab/loadtest';
import { z } from 'zod';
import { labRunSeconds, type BrowserRunSettings, type LabSettings, type LoadRunSettings } from './protocol.ts';

/** What a load run's steps are judged by unless the form says otherwise: the verdict's own bar. */
export const DEFAULT_THRESHOLDS = ['p99<100', 'errors<1%'] as const;

/** A lab run may not take longer than this (warm-ups and steps together). */
export const MAX_RUN_SECONDS = 15 * 60;
/** The background rates a browser run may offer: beyond this a 2-core machine only measures its own saturation. */
export const MAX_BACKGROUND_RATE = 1000;

const common = {
  cacheMode: z.enum(CACHE_MODES, { errorMap: () => ({ message: `must be one of ${CACHE_MODES.join(', ')}` }) }),
  batching: z.boolean({ invalid_type_error: 'must be true or false' }).default(true),
  cacheStore: z
    .enum(CACHE_STORES, { errorMap: () => ({ message: `must be one of ${CACHE_STORES.join(', ')}` }) })
    .optional(),
  who: z.string().trim().max(80, 'must be at most 80 characters').default(''),
};
const wholeSeconds = (min: number, max: number) =>
  z
    .number({ invalid_type_error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be ${min} to ${max} s`)
    .max(max, `must be ${min} to ${max} s`);

/** One or more of `names` (targets, variants), each refused by name when it is not one of them. */
const someOf = (names: readonly string[], what: string) =>
  z
    .array(
      z.enum(names as [string, ...string[]], {
        errorMap: () => ({ message: `must be one of ${names.join(', ')}` }),
      }),
    )
    .min(1, `pick at least one ${what}`)
    .max(names.length);

const loadSchema = z
  .object({
    kind: z.literal('load').default('load'),
    targets: someOf(TARGET_NAMES, 'target'),
    rates: z
      .array(
        z
          .number({ invalid_type_error: 'must be a number' })
          .min(0.1, 'must be at least 0.1 requests/s')
          .max(2000, 'must be at most 2000 requests/s'),
      )
      .min(1, 'pick at least one rate')
      .max(8, 'at most 8 rate steps'),
    durationSeconds: wholeSeconds(1, 120),
    warmupSeconds: wholeSeconds(0, 60).default(2),
    allowWrites: z.boolean({ invalid_type_error: 'must be true or false' }).default(false),
    // each step judged as `npm run loadtest -- --threshold` judges it
    thresholds: z
      .array(z.string({ invalid_type_error: 'must be a string like p99<100' }).max(40, 'must be at most 40 characters'))
      .max(8, 'at most 8 thresholds')
      .default([...DEFAULT_THRESHOLDS]),
    scaledAB: z.boolean({ invalid_type_error: 'must be true or false' }).default(false),
    ...common,
  })
  .strict();

const browserSchema = z
  .object({
    kind: z.literal('browser'),
    variants: someOf(VARIANT_NAMES, 'variant'),
    backgroundRate: z
      .number({ invalid_type_error: 'must be a number' })
      .min(0, 'must be 0 or more requests/s')
      .max(MAX_BACKGROUND_RATE, `must be at most ${MAX_BACKGROUND_RATE} requests/s`)
      .default(0),
    samples: z
      .number({ invalid_type_error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be 1 to 50')
      .max(50, 'must be 1 to 50')
      .default(10),
    warm: z.boolean({ invalid_type_error: 'must be true or false' }).default(false),
    ...common,
  })
  .strict();

/** The run a lab form asks for, or a BAD_USER_INPUT error saying what was wrong. */
export function parseLabSettings(body: unknown): LabSettings {
  const kind = (body as { kind?: unknown } | null)?.kind;
  if (kind === 'browser') {
    const settings = parseInput(browserSchema, body, 'browser run settings') as BrowserRunSettings;
    return { ...settings, variants: VARIANT_NAMES.filter((name) => settings.variants.includes(name)) };
  }
  if (kind !== undefined && kind !== 'load')
    throw badInput(`invalid run settings: kind must be "load" or "browser", got ${JSON.stringify(kind)}`);
  const settings = parseInput(loadSchema, body, 'run settings') as LoadRunSettings;
  try {
    settings.thresholds = parseThresholds(settings.thresholds ?? []).map((threshold) => threshold.text);
  } catch (error) {
    throw badInput(`invalid run settings: thresholds: ${(error as Error).message}`);
  }
  // a write target adds rows at every rate: asked for in so many words, never by a stray checkbox or request
  const writes = [...new Set(settings.targets.filter((name) => targetNamed(name).write))];
  if (writes.length && !settings.allowWrites) {
    throw badInput(
      `invalid run settings: ${writes.join(', ')} ${writes.length > 1 ? 'write' : 'writes'} to the database at every rate; ` +
        'send allowWrites: true to run write targets',
    );
  }
  const seconds = labRunSeconds(settings);
  if (seconds > MAX_RUN_SECONDS) {
    throw badInput(
      `invalid run settings: the run would take ${Math.ceil(seconds / 60)} min and the lab allows ${MAX_RUN_SECONDS / 60}; pick fewer targets, rates or seconds`,
    );
  }
  return {
    ...settings,
    targets: [...new Set(settings.targets)],
    rates: [...new Set(settings.rates)].sort((a, b) => a - b),
  };
}

/** The longest name a run may be given (the column's bound). */
export const MAX_LABEL = 80;

const labelSchema = z
  .object({
    label: z
      .string({
        invalid_type_error: 'must be a string, or null to remove it',
        required_error: 'is required: a string, or null to remove it',
      })
      .trim()
      .max(MAX_LABEL, `must be at most ${MAX_LABEL} characters`)
      .nullable(),
  })
  .strict();

/** The name a request gives a run (an empty one removes it), or a BAD_USER_INPUT error saying what was wrong. */
export function parseRunLabel(body: unknown): string | null {
  return parseInput(labelSchema, body, 'run label').label || null;
}

/** How many page loads a browser run measures: each variant `samples` times (a warm run's first, unmeasured loads not counted). */
export const plannedLoads = (settings: BrowserRunSettings) => settings.variants.length * settings.samples;

/** The browser bench's settings for a browser run: the lab's own choices, and the bench's defaults for the rest. */
export const benchSettings = (settings: BrowserRunSettings, maxItemId: number) => ({
  variants: settings.variants,
  samples: settings.samples,
  backgroundRates: [settings.backgroundRate],
  warm: settings.warm,
  itemId: null,
  maxItemId,
  throttle: 1,
  network: null,
});
