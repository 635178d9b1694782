import { CACHE_MODES } from '@supergraph-lab/config';
import { badInput, parseInput } from '@supergraph-lab/http';
import { TARGET_NAMES } from '@supergraph-lab/loadtest';
import { z } from 'zod';
import type { LabSettings } from './protocol.ts';

/** A lab run may not take longer than this (warm-ups and steps together). */
export const MAX_RUN_SECONDS = 15 * 60;

const schema = z
  .object({
    targets: z
      .array(
        z.enum(TARGET_NAMES as [string, ...string[]], {
          errorMap: () => ({ message: `must be one of ${TARGET_NAMES.join(', ')}` }),
        }),
      )
      .min(1, 'pick at least one target')
      .max(TARGET_NAMES.length),
    rates: z
      .array(
        z
          .number({ invalid_type_error: 'must be a number' })
          .min(0.1, 'must be at least 0.1 requests/s')
          .max(2000, 'must be at most 2000 requests/s'),
      )
      .min(1, 'pick at least one rate')
      .max(8, 'at most 8 rate steps'),
    durationSeconds: z
      .number({ invalid_type_error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be 1 to 120 s')
      .max(120, 'must be 1 to 120 s'),
    warmupSeconds: z
      .number({ invalid_type_error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be 0 to 60 s')
      .max(60, 'must be 0 to 60 s')
      .default(2),
    cacheMode: z.enum(CACHE_MODES, { errorMap: () => ({ message: `must be one of ${CACHE_MODES.join(', ')}` }) }),
    batching: z.boolean({ invalid_type_error: 'must be true or false' }).default(true),
    who: z.string().trim().max(80, 'must be at most 80 characters').default(''),
  })
  .strict();

/** The run a lab form asks for, or a BAD_USER_INPUT error saying what was wrong. */
export function parseLabSettings(body: unknown): LabSettings {
  const settings = parseInput(schema, body, 'run settings') as LabSettings;
  const seconds = settings.targets.length * settings.rates.length * (settings.durationSeconds + settings.warmupSeconds);
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

/** How long a run takes, in seconds (without cool-downs after saturated steps). */
export const runSeconds = (settings: LabSettings) =>
  settings.targets.length * settings.rates.length * (settings.durationSeconds + settings.warmupSeconds);
