/** Rate limits for refetches driven by live events. */

export interface Throttled {
  /** Runs the action now if the interval has passed, otherwise once at the end of the interval. */
  (): void;
  cancel(): void;
}

/**
 * At most one call of `fn` per `intervalMs`; calls in between collapse into one trailing call,
 * so the last event is never lost.
 */
export function throttle(fn: () => void, intervalMs: number, now: () => number = () => Date.now()): Throttled {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fire = (): void => {
    timer = null;
    last = now();
    fn();
  };
  const call = (() => {
    if (timer !== null) return;
    const wait = last + intervalMs - now();
    if (wait <= 0) fire();
    else timer = setTimeout(fire, wait);
  }) as Throttled;
  call.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return call;
}

/** Runs async jobs with at most `limit` in flight, in the order they were queued. */
export class Limiter {
  private active = 0;
  private queue: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.active++;
        job().then(resolve, reject).finally(() => {
          this.active--;
          this.queue.shift()?.();
        });
      };
      if (this.active < this.limit) start();
      else this.queue.push(start);
    });
  }
}
