import { createHash } from 'node:crypto';
import { accountKey } from '../account-keys.js';
import type { WechatStore } from '../wechat-store.js';

/** Asks WeChat whether it rejects `value` (true) or takes it (false), spending no token quota. */
export type RejectionProbe = (appId: string, value: string) => Promise<boolean>;

export interface ReportedTokenCheckTiming {
  /** at most one question to WeChat per account in this window, cluster-wide */
  intervalMs: number;
  /** how long a report waits for the answer another instance is getting */
  waitMs: number;
  pollMs: number;
}

/** What the instance asking WeChat leaves in the store: the value's digest, then WeChat's verdict on it. */
interface Verdict {
  digest: string;
  /** absent while the question is still out */
  rejected?: boolean;
}

interface Recent {
  digest: string;
  at: number;
  verdict: Promise<boolean>;
}

const isVerdict = (v: unknown): v is Verdict =>
  !!v &&
  typeof v === 'object' &&
  typeof (v as Verdict).digest === 'string' &&
  ['boolean', 'undefined'].includes(typeof (v as Verdict).rejected);

/**
 * Decides whether a consumer's report "WeChat rejected this token" is true, by asking WeChat, so a
 * consumer cannot make the service refresh a token that works. One question per account per
 * interval, cluster-wide: concurrent reports share it (in this process, its promise; elsewhere, the
 * verdict it leaves in the store); a report that finds the interval spent on another value, or no
 * verdict in time, is not believed. Values are kept only as digests.
 */
export class ReportedTokenCheck {
  private readonly recent = new Map<string, Recent>();

  constructor(
    private readonly store: Pick<WechatStore, 'get' | 'set' | 'lock'>,
    private readonly keyPrefix: string,
    private readonly probe: RejectionProbe,
    private readonly timing: ReportedTokenCheckTiming,
    private readonly now: () => number = Date.now,
  ) {}

  /** True only when WeChat confirmed (now, or within the interval) that it rejects `value`. */
  confirmsRejected(appId: string, value: string): Promise<boolean> {
    const digest = createHash('sha256').update(value).digest('hex');
    const held = this.recent.get(appId);
    if (held && this.now() - held.at < this.timing.intervalMs)
      return held.digest === digest ? held.verdict : Promise.resolve(false);
    const verdict = this.decide(appId, digest, value);
    this.recent.set(appId, { digest, at: this.now(), verdict });
    return verdict;
  }

  private async decide(appId: string, digest: string, value: string): Promise<boolean> {
    const gate = accountKey(this.keyPrefix, appId, 'access_token:report-check');
    // the gate is never released: it spaces the questions; a store that cannot lock leaves this process to ask
    const taken = await this.store.lock(gate, this.timing.intervalMs).then(
      (lock) => lock !== null,
      () => true,
    );
    if (!taken) return this.awaitVerdict(appId, digest);
    const ttl = this.timing.intervalMs + this.timing.waitMs;
    await this.leave(appId, { digest }, ttl);
    const rejected = await this.probe(appId, value);
    await this.leave(appId, { digest, rejected }, ttl);
    return rejected;
  }

  private leave(appId: string, verdict: Verdict, ttlMs: number): Promise<void> {
    return this.store.set(this.verdictKey(appId), verdict, ttlMs).catch(() => undefined);
  }

  /**
   * The verdict another instance reaches on this very value; false at once when its question is
   * about another value, and false when no verdict comes in time (bounded by polls, not a clock).
   */
  private async awaitVerdict(appId: string, digest: string): Promise<boolean> {
    for (let polls = Math.ceil(this.timing.waitMs / this.timing.pollMs); ; polls--) {
      const seen = await this.store.get(this.verdictKey(appId)).catch(() => undefined);
      if (isVerdict(seen)) {
        if (seen.digest !== digest) return false;
        if (seen.rejected !== undefined) return seen.rejected;
      }
      if (polls <= 0) return false;
      await new Promise<void>((resolve) => setTimeout(resolve, this.timing.pollMs).unref());
    }
  }

  private verdictKey(appId: string): string {
    return accountKey(this.keyPrefix, appId, 'access_token:report-verdict');
  }
}
