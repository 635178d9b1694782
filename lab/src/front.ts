// The stack's front (its gateway and SSR instances) as the lab switches it for a scaled A/B run:
// npm start gives the lab an IPC channel and restarts the front into one instance of each or two
// behind the balancer when asked (scripts/start.ts, serveFrontSwitches).
import { AppError } from '@supergraph-lab/http';
import type { Front, FromSupervisor, ToSupervisor } from './protocol.ts';

/** A switch of the front: `scaled` true for two instances behind the balancer, undefined to ask what runs. */
export interface FrontSwitch {
  switchTo(scaled?: boolean): Promise<Front>;
  /**
   * The front as npm start last reported it (asked once, on the first call): no wait behind a
   * switch under way, whose instances may be going meanwhile.
   */
  known(): Promise<Front>;
  /** Tells npm start the settings switched, for the processes it starts later (protocol.ts, ToSupervisor). */
  remember(settings: Omit<Extract<ToSupervisor, { type: 'settings' }>, 'type'>): void;
}

/** Starting seven processes on a busy two-core machine has taken over two minutes. */
const SWITCH_TIMEOUT_MS = 4 * 60_000;

/** How long a question of which instances run waits for npm start when the lab does not know. */
const KNOWN_TIMEOUT_MS = 10_000;

/** Why the lab cannot switch the front when it was not started by npm start. */
export const NO_SUPERVISOR = 'the lab was not started by npm start (or start:scaled), which restarts the front for it';

/** The switch npm start offers over the lab's IPC channel; null when the lab runs otherwise (compose, Kubernetes). */
export function supervisorFront(): FrontSwitch | null {
  if (!process.send) return null;
  // the channel must not keep the lab alive on its own
  process.channel?.unref();
  let next = 0;
  const waiting = new Map<number, { resolve(front: Front): void; reject(error: Error): void }>();
  let last: Front | null = null;
  process.on('message', (message: FromSupervisor) => {
    // what runs now, whoever asked (an answer after its asker gave up too); after a failed switch, unknown
    if (message.type === 'front') last = message.front;
    else if (message.type === 'front-failed') last = null;
    const waiter = waiting.get(message.id);
    if (!waiter) return;
    waiting.delete(message.id);
    if (message.type === 'front') waiter.resolve(message.front);
    else waiter.reject(new Error(message.message));
  });
  const front: FrontSwitch = {
    remember(settings) {
      // npm start gone (killed): nothing to tell, and a send on the closed channel would end the lab
      if (process.connected) process.send!({ type: 'settings', ...settings } satisfies ToSupervisor, () => undefined);
    },
    async known() {
      if (last) return last;
      try {
        // not behind a switch under way for minutes: a read waits this long, then says so
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(new Error(`no answer in ${KNOWN_TIMEOUT_MS / 1000} s: a switch of the front may be under way`)),
            KNOWN_TIMEOUT_MS,
          );
        });
        return await Promise.race([front.switchTo(), waited]).finally(() => clearTimeout(timer));
      } catch (error) {
        throw new AppError(
          'SERVICE_UNAVAILABLE',
          `npm start did not say which instances run: ${(error as Error).message}`,
        );
      }
    },
    switchTo(scaled) {
      const id = ++next;
      if (!process.connected) return Promise.reject(new Error('npm start is gone (its IPC channel closed)'));
      return new Promise<Front>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          // a switch that outlasted its wait: which instances run is not known until npm start says
          last = null;
          reject(new Error(`npm start did not switch the front within ${SWITCH_TIMEOUT_MS / 60_000} min`));
        }, SWITCH_TIMEOUT_MS);
        const settle =
          <T>(done: (value: T) => void) =>
          (value: T) => {
            clearTimeout(timer);
            done(value);
          };
        waiting.set(id, { resolve: settle(resolve), reject: settle(reject) });
        process.send!(
          { type: 'front', id, ...(scaled === undefined ? {} : { scaled }) } satisfies ToSupervisor,
          (error: Error | null) => {
            if (!error) return;
            waiting.delete(id);
            settle(reject)(error);
          },
        );
      });
    },
  };
  return front;
}
