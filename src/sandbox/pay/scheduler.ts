/**
 * Timers and in-flight work of the pay simulator: every timer is unref'd, stop() cancels them all and aborts
 * what is in flight (so a test process can exit), and idle() resolves once nothing is pending.
 */
export class PayScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private controller = new AbortController();
  private active = 0;
  private waiters: Array<() => void> = [];

  /** Aborted by stop(); work started later gets a fresh one. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Runs `task` after `ms` unless stop() comes first. */
  later(ms: number, task: () => unknown): void {
    this.active++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.settle(task);
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** Runs `task` now, counted until it settles. */
  run(task: () => unknown): void {
    this.active++;
    void this.settle(task);
  }

  /** Resolves when no timer is pending and no task is running. */
  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    for (const timer of this.timers) {
      clearTimeout(timer);
      this.release();
    }
    this.timers.clear();
    this.controller.abort();
    this.controller = new AbortController();
  }

  private async settle(task: () => unknown): Promise<void> {
    try {
      await task();
    } catch {
      // a task records its own failures; nothing may escape into an unhandled rejection
    } finally {
      this.release();
    }
  }

  private release(): void {
    if (--this.active > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
