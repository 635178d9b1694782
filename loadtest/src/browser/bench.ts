import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '@supergraph-lab/stack/browser';
import { CHROMIUM, skipWithout } from '@supergraph-lab/stack/tools';
import { createAgent, loadPage } from '../http.ts';
import { runStep, type StepMeasurement } from '../step.ts';
import { endpointsFromEnv, targetNamed, type Endpoints } from '../targets.ts';
import {
  BROWSER_VARIANTS,
  NETWORK_PROFILES,
  variantResult,
  type BrowserVariant,
  type NetworkProfile,
  type PageLoad,
  type VariantResult,
} from './variants.ts';

export * from './variants.ts';

/**
 * Page loads in a real browser: the item page as the server renders it and as a single-page app
 * builds it, each over GraphQL and REST, measured the way a person sees them, optionally while
 * the load tester offers uncached GraphQL page queries in the background.
 */

/** Why the bench cannot run here (no Chromium, and what to install), or null when it can. */
export const browserUnavailable = (): string | null => skipWithout(CHROMIUM) || null;

/**
 * Chromium as light as it goes: one renderer process reused for every page, no site isolation,
 * no zygote, no extensions or background features. On a 2-core machine the browser competes with
 * the stack it measures; with these flags a 50/s background load beside it answered with p50
 * 118 ms and no errors, against p50 883 ms and 1.3% errors with the test flags alone.
 */
const LEAN_CHROMIUM = [
  '--renderer-process-limit=1',
  '--disable-site-isolation-trials',
  '--disable-extensions',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
  '--no-zygote',
];

/**
 * The bench's Chromium (the lab's browser runs and browserbench): lean, and able to reach the
 * stack's two origins and nothing else, so a page (or a photo URL a client wrote) cannot make
 * the server's browser fetch an internal address.
 */
export function launchBenchBrowser(endpoints: Pick<Endpoints, 'ssr' | 'gateway'>): Promise<Browser> {
  return launchChromium(LEAN_CHROMIUM, { onlyOrigins: [endpoints.ssr, endpoints.gateway] });
}

export interface BrowserBenchOptions {
  endpoints: Pick<Endpoints, 'ssr' | 'gateway'>;
  variants: BrowserVariant[];
  samples: number;
  /** Background rates in GraphQL page queries per second; 0: none. */
  backgroundRates: number[];
  /** Reuse one browser context per variant (a returning visitor's cache) instead of a fresh one per load. */
  warm: boolean;
  /** The item to load every time, or null for the load tester's id mix up to `maxItemId`. */
  itemId: number | null;
  maxItemId: number;
  /** Chromium's CPU slowdown factor (1: none). */
  throttle: number;
  network: NetworkProfile | null;
  /** Seconds the background load runs before the first sample. */
  backgroundWarmupSeconds?: number;
  nextId?: () => number;
  signal?: AbortSignal;
  onProgress?(progress: { backgroundRate: number; variant: BrowserVariant; sample: number; samples: number }): void;
  /** Each measured page load, as it is measured (the lab draws its chart from these). */
  onLoad?(sample: { backgroundRate: number; variant: BrowserVariant; sample: number; load: PageLoad }): void;
}

export interface BackgroundResult {
  rate: number;
  /** Successful answers per second over the time it ran (its step's own achievedRate is per a nominal day). */
  answeredPerSecond: number;
  /** The background's own measurement (latency, errors, cache hits). */
  step: StepMeasurement | null;
}

export interface BrowserBenchResult {
  results: VariantResult[];
  background: BackgroundResult[];
}

// Runs in the page before any of its own scripts: notes when the item's name and price are both
// in the DOM, whoever put them there (the HTML parser for SSR, React for the SPA).
const ITEM_VISIBLE_PROBE = `(() => {
  const seen = () => {
    const name = document.querySelector('#item-name');
    const price = document.querySelector('.price');
    return Boolean(name && name.textContent && price && price.textContent);
  };
  const observer = new MutationObserver(() => {
    if (window.__itemVisible === undefined && seen()) {
      window.__itemVisible = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
})();`;

// Reads the page's timings once it has loaded and the item is visible.
const READ_TIMINGS = `new Promise((resolve) => {
  let lcp = null;
  new PerformanceObserver((list) => {
    const entries = list.getEntries();
    lcp = entries[entries.length - 1].startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  // buffered entries arrive in a task of their own: read after two frames
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => {
    const navigation = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    resolve({
      ttfb: navigation.responseStart,
      fcp: fcp ? fcp.startTime : null,
      lcp,
      itemVisible: window.__itemVisible ?? null,
      bytes: navigation.transferSize + resources.reduce((sum, entry) => sum + entry.transferSize, 0),
      requests: 1 + resources.length,
    });
  }, 0)));
})`;

async function measure(context: BrowserContext, url: string, options: BrowserBenchOptions): Promise<PageLoad> {
  const page: Page = await context.newPage();
  try {
    if (options.throttle > 1 || options.network) {
      const cdp = await context.newCDPSession(page);
      if (options.throttle > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: options.throttle });
      if (options.network)
        await cdp.send('Network.emulateNetworkConditions', { offline: false, ...NETWORK_PROFILES[options.network] });
    }
    await page.addInitScript(ITEM_VISIBLE_PROBE);
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    await page.waitForFunction('window.__itemVisible !== undefined', undefined, { timeout: 30_000 });
    // the SPA asks for its images after the load event: bytes, requests and LCP count them too
    await page.waitForLoadState('networkidle', { timeout: 30_000 });
    const load = (await page.evaluate(READ_TIMINGS)) as Record<keyof PageLoad, number | null>;
    for (const [name, value] of Object.entries(load))
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new Error(`${url}: no ${name} (${String(value)}): did the page render the item?`);
    return load as PageLoad;
  } finally {
    await page.close();
  }
}

/** Starts the background load (uncached GraphQL page queries, ids across the whole range); stop() ends it. */
function background(rate: number, options: BrowserBenchOptions) {
  if (rate <= 0)
    return { stop: async (): Promise<Omit<BackgroundResult, 'rate'>> => ({ answeredPerSecond: 0, step: null }) };
  const agent = createAgent(256);
  const target = targetNamed('graphql');
  // the graphql target asks the gateway only
  const endpoints = { ...endpointsFromEnv({}), ...options.endpoints };
  // ids uniformly over the whole range: few repeats, so the response cache rarely helps
  const id = () => 1 + Math.floor(Math.random() * options.maxItemId);
  const cancel = new AbortController();
  let sequence = 0;
  const started = performance.now();
  const measured = runStep({
    rate,
    durationSeconds: 24 * 3600,
    timeoutMs: 2000,
    send: (signal) => loadPage(agent, target.requests(endpoints, id(), sequence++), signal),
    signal: cancel.signal,
  });
  return {
    async stop() {
      const seconds = (performance.now() - started) / 1000;
      cancel.abort();
      const step = await measured;
      await agent.close();
      return { answeredPerSecond: step.ok / seconds, step };
    },
  };
}

/**
 * Loads each variant `samples` times at each background rate, variants interleaved so each
 * sample round sees the same conditions, and summarizes what was seen.
 */
export async function runBrowserBench(options: BrowserBenchOptions): Promise<BrowserBenchResult> {
  const browser: Browser = await launchBenchBrowser(options.endpoints);
  // a stop closes the browser: the page load in flight ends at once, and what was measured is kept
  const stopped = () => void browser.close().catch(() => undefined);
  options.signal?.addEventListener('abort', stopped, { once: true });
  const keepIfStopped = (error: unknown) => {
    if (!options.signal?.aborted) throw error;
  };
  const nextId = options.nextId ?? (() => options.itemId ?? 1);
  const results: VariantResult[] = [];
  const backgrounds: BackgroundResult[] = [];
  try {
    for (const backgroundRate of options.backgroundRates) {
      if (options.signal?.aborted) break;
      const load = background(backgroundRate, options);
      const loads = new Map<BrowserVariant, PageLoad[]>(options.variants.map((variant) => [variant, []]));
      try {
        if (backgroundRate > 0)
          await sleep((options.backgroundWarmupSeconds ?? 2) * 1000, undefined, { signal: options.signal });
        // a returning visitor: one context per variant, its cache filled by a first, unmeasured load
        const warm = new Map<BrowserVariant, BrowserContext>();
        if (options.warm)
          for (const variant of options.variants) {
            const context = await browser.newContext();
            warm.set(variant, context);
            await measure(context, `${options.endpoints.ssr}${BROWSER_VARIANTS[variant].path(nextId())}`, options);
          }
        for (let sample = 0; sample < options.samples && !options.signal?.aborted; sample++) {
          const id = nextId();
          for (const variant of options.variants) {
            options.onProgress?.({ backgroundRate, variant, sample, samples: options.samples });
            const context = warm.get(variant) ?? (await browser.newContext());
            try {
              const load = await measure(
                context,
                `${options.endpoints.ssr}${BROWSER_VARIANTS[variant].path(id)}`,
                options,
              );
              loads.get(variant)!.push(load);
              options.onLoad?.({ backgroundRate, variant, sample, load });
            } finally {
              if (!warm.has(variant)) await context.close().catch(keepIfStopped);
            }
          }
        }
        for (const context of warm.values()) await context.close();
      } catch (error) {
        keepIfStopped(error);
      } finally {
        backgrounds.push({ rate: backgroundRate, ...(await load.stop()) });
      }
      for (const [variant, variantLoads] of loads) {
        const result = variantResult(variant, backgroundRate, variantLoads);
        if (result) results.push(result);
      }
    }
    return { results, background: backgrounds };
  } finally {
    options.signal?.removeEventListener('abort', stopped);
    await browser.close();
  }
}
