import { Inject, Injectable } from '@nestjs/common';
import { HttpProblem } from '../http/http-problem.js';
import { WECHAT_STORE, type WechatStore } from '../../core/wechat-store.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat.options.js';

/** Whether a request may go on; when not, how long the client should wait. */
export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSec: number };

/**
 * The budgets, one per route family, so that using up one never locks a client out of another:
 * `login`, `media` (saves and renditions) and `diagnose` per client address, `credentials` per
 * verified consumer, `bearer` (failed credential-API bearers) per client address, and `other`
 * for a host's own routes under RateLimitGuard.
 */
export type RateFamily = 'login' | 'media' | 'diagnose' | 'credentials' | 'bearer' | 'other';

/** Failed bearers an address may present per minute before it gets 429: guessing stays slow. */
export const FAILED_BEARERS_PER_MINUTE = 10;
const WINDOW_MS = 60_000;

/** What the limiter reads of a request: the client address as the platform's trust-proxy setting reveals it. */
interface ClientRequest {
  ip?: string;
}
interface HeaderSink {
  header(name: string, value: string): unknown;
}

/**
 * Fixed one-minute windows counted in the shared store (one count for the whole cluster when it is
 * Redis), the same on every platform. A store that fails lets requests through: an outage of Redis
 * must not lock users out.
 */
@Injectable()
export class RateLimiter {
  constructor(
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
    @Inject(WECHAT_STORE) private readonly store: WechatStore,
  ) {}

  get enabled(): boolean {
    return this.options.rateLimitPerMinute > 0;
  }

  /** Counts one request of the client's address in `family`; past the budget throws 429 `RATE_LIMITED` with `Retry-After`. */
  admit(family: Exclude<RateFamily, 'credentials'>, request: ClientRequest, reply: HeaderSink): Promise<void> {
    return this.admitKey(family, clientOf(request), reply);
  }

  /** As admit(), counted under `key` (a verified consumer's name for `credentials`). */
  async admitKey(family: RateFamily, key: string, reply: HeaderSink): Promise<void> {
    const verdict = await this.verdict(family, key);
    if (verdict.allowed) return;
    reply.header('retry-after', String(verdict.retryAfterSec));
    throw new HttpProblem(429, 'RATE_LIMITED', `too many requests; try again in ${verdict.retryAfterSec} s`, {
      retryAfter: verdict.retryAfterSec,
    });
  }

  async verdict(family: RateFamily, key: string): Promise<RateVerdict> {
    if (!this.enabled) return { allowed: true };
    const max =
      family === 'bearer'
        ? Math.min(FAILED_BEARERS_PER_MINUTE, this.options.rateLimitPerMinute)
        : this.options.rateLimitPerMinute;
    try {
      const hit = await this.store.hit(`${this.options.keyPrefix}rl:${family}:${key}`, WINDOW_MS);
      if (hit.count <= max) return { allowed: true };
      return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(hit.resetMs / 1000)) };
    } catch {
      return { allowed: true };
    }
  }
}

const clientOf = (request: ClientRequest): string => request.ip || 'unknown';
