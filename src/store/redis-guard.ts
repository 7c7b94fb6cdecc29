import { Problem } from '../core/problem.js';

/**
 * The shared store (Redis) did not answer in time, is being reconnected, or `refused` the operation
 * (it answered with an error: out of memory under `noeviction`, a read-only replica, ...).
 */
export class StoreUnavailableError extends Problem {
  constructor(
    reason: string,
    readonly refused = false,
  ) {
    super(503, 'STORE_UNAVAILABLE', `the shared store ${refused ? 'refused the operation' : 'is unavailable'}: ${reason}`);
    this.name = 'StoreUnavailableError';
  }
}

/** True for an error reply of Redis itself (OOM, READONLY, MISCONF, ...): the store answers but refuses. */
export function isRefusal(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return error.refused;
  if ((error as object | null)?.constructor?.name === 'ErrorReply') return true;
  return /^(OOM|READONLY|MISCONF|NOPERM|NOAUTH|WRONGPASS|LOADING|BUSY|NOREPLICAS|MASTERDOWN)\b/.test(
    String((error as Error | null)?.message ?? ''),
  );
}

/** What the guard needs of a node-redis client (v4 and v5 both have it). */
export interface GuardedConnection {
  readonly isReady: boolean;
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  /** closes the socket at once, failing every queued command */
  disconnect(): Promise<unknown>;
  ping(): Promise<unknown>;
}

export interface RedisGuardOptions {
  /** the longest one operation may take */
  commandTimeoutMs: number;
  /** pause between two recovery probes; default half the command timeout, at least 100 ms */
  probeIntervalMs?: number;
  warn?: (message: string) => void;
}

/**
 * Bounds every Redis operation in time and replaces a stalled connection.
 *
 * node-redis has what it can offer for this and the store uses it (no offline queue, a connect
 * timeout, a reconnect strategy), but node-redis 4 has no per-command timeout and no idle timeout
 * on the socket. It fails fast while it knows it is disconnected, yet a half-open connection (a failover,
 * a NAT dropping state, a proxy that stops forwarding) looks healthy to it: commands wait forever
 * and the socket is never replaced. So an operation that outlives `commandTimeoutMs` marks the
 * store down for everyone (later operations fail at once instead of each waiting), and a
 * recovery loop probes with PING, drops and reopens a connection that stays stuck, and marks the
 * store up again as soon as a PING is answered.
 */
export class RedisGuard {
  private healthy = true;
  private recovering = false;
  private closed = false;
  private stuckSince = 0;
  private readonly probeIntervalMs: number;

  constructor(
    private readonly connection: GuardedConnection,
    private readonly options: RedisGuardOptions,
  ) {
    this.probeIntervalMs = options.probeIntervalMs ?? Math.max(100, Math.floor(options.commandTimeoutMs / 2));
  }

  /** true while the store is believed to answer */
  get up(): boolean {
    return this.healthy && this.connection.isReady;
  }

  /** Runs `operation` within the command timeout; any failure is a StoreUnavailableError. */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    if (!this.up) {
      this.suspect();
      throw new StoreUnavailableError(this.healthy ? 'not connected' : 'not answering (recovering)');
    }
    try {
      return await this.bounded(operation());
    } catch (error) {
      if (error instanceof TimedOut) this.suspect();
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(describe(error), isRefusal(error));
    }
  }

  /** One bounded PING: true when Redis answered. */
  async ping(): Promise<boolean> {
    try {
      await this.run(() => this.connection.ping());
      return true;
    } catch {
      return false;
    }
  }

  /** Stops the recovery loop (the connection itself is closed by its owner). */
  close(): void {
    this.closed = true;
  }

  private bounded<T>(promise: Promise<T>): Promise<T> {
    // the operation may still settle later: its rejection must not be unhandled
    promise.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimedOut()), this.options.commandTimeoutMs);
      timer.unref();
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  private suspect(): void {
    this.healthy = false;
    if (this.recovering || this.closed) return;
    this.recovering = true;
    this.warn('Redis is not answering; serving without it and reconnecting');
    void this.recover().finally(() => {
      this.recovering = false;
    });
  }

  private async recover(): Promise<void> {
    while (!this.closed) {
      if (this.connection.isReady) {
        if (await this.probe()) {
          this.healthy = true;
          this.stuckSince = 0;
          this.warn('Redis answers again');
          return;
        }
        await this.reopen();
      } else if (this.connection.isOpen) {
        // node-redis is (re)connecting; a handshake that hangs on a stalled link never ends by itself
        this.stuckSince ||= Date.now();
        if (Date.now() - this.stuckSince > 3 * this.options.commandTimeoutMs) await this.reopen();
      } else {
        await this.reopen();
      }
      await pause(this.probeIntervalMs);
    }
  }

  private async probe(): Promise<boolean> {
    try {
      await this.bounded(this.connection.ping());
      return true;
    } catch {
      return false;
    }
  }

  /** Drops the socket (failing what waits on it) and opens a fresh one in the background. */
  private async reopen(): Promise<void> {
    this.stuckSince = Date.now();
    if (this.connection.isOpen) await this.connection.disconnect().catch(() => undefined);
    if (this.closed) return;
    this.connection.connect().catch(() => undefined);
  }

  /** Said once per outage: when it starts and when it ends. */
  private warn(message: string): void {
    this.options.warn?.(message);
  }
}

class TimedOut extends StoreUnavailableError {
  constructor() {
    super('timed out');
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

function describe(error: unknown): string {
  const message = (error as Error)?.message;
  return typeof message === 'string' && message.length > 0 ? message.slice(0, 200) : 'operation failed';
}
