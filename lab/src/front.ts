// The stack's front (its gateway and SSR instances) as the lab switches it for a scaled A/B run:
// npm start gives the lab an IPC channel and restarts the front into one instance of each or two
// behind the balancer when asked (scripts/start.ts, serveFrontSwitches).
import type { Front, FromSupervisor, ToSupervisor } from './protocol.ts';

/** A switch of the front: `scaled` true for two instances behind the balancer, undefined to ask what runs. */
export interface FrontSwitch {
  switchTo(scaled?: boolean): Promise<Front>;
  /**
   * The front as npm start last reported it (asked once, on the first call): no wait behind a
   * switch under way, whose instances may be going meanwhile.
   */
  known(): Promise<Front>;
}

/** Starting seven processes on a busy two-core machine has taken over two minutes. */
const SWITCH_TIMEOUT_MS = 4 * 60_000;

/** Why the lab cannot switch the front when it was not started by npm start. */
export const NO_SUPERVISOR = 'the lab was not started by npm start (or start:scaled), which restarts the front for it';

/** The switch npm start offers over the lab's IPC channel; null when the lab runs otherwise (compose, Kubernetes). */
export function supervisorFront(): FrontSwitch | null {
  if (!process.send) return null;
  // the channel must not keep the lab alive on its own
  process.channel?.unref();
  let next = 0;
  const waiting = new Map<number, { resolve(front: Front): void; reject(error: Error): void }>();
  process.on('message', (message: FromSupervisor) => {
    const waiter = waiting.get(message.id);
    if (!waiter) return;
    waiting.delete(message.id);
    if (message.type === 'front') waiter.resolve(message.front);
    else waiter.reject(new Error(message.message));
  });
  let last: Front | null = null;
  const front: FrontSwitch = {
    async known() {
      return last ?? front.switchTo();
    },
    switchTo(scaled) {
      const id = ++next;
      return new Promise<Front>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`npm start did not switch the front within ${SWITCH_TIMEOUT_MS / 60_000} min`));
        }, SWITCH_TIMEOUT_MS);
        const settle =
          <T>(done: (value: T) => void) =>
          (value: T) => {
            clearTimeout(timer);
            done(value);
          };
        const reported = (now: Front) => resolve((last = now));
        waiting.set(id, { resolve: settle(reported), reject: settle(reject) });
        process.send!({ type: 'front', id, ...(scaled === undefined ? {} : { scaled }) } satisfies ToSupervisor);
      });
    },
  };
  return front;
}
