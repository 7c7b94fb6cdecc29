import type fastifyRateLimit from '@fastify/rate-limit';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from '../common/http-problem.js';
import { loadPeer } from '../common/load-peer.js';
import { WECHAT_STORE, type WechatStore } from '../store/wechat-store.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat/wechat.options.js';
import { storeCounter } from './store-counter.js';

/** Whether a request may go on; when not, how long the client should wait. */
export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSec: number };

type Check = (request: FastifyRequest) => Promise<{ isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }>;

const WINDOW_MS = 60_000;

/**
 * Requests per client IP (as the platform's trust-proxy setting reveals it) and minute to the
 * routes that write or cost something (login, media saves): the routes ask through
 * RateLimitGuard. On Fastify through @fastify/rate-limit with no hook of its own; on Express the
 * same fixed window counted in the shared store. A store that fails lets requests through (an
 * outage of Redis must not lock users out).
 */
@Injectable()
export class RateLimiter implements OnModuleInit {
  private fastify?: FastifyInstance;
  private check?: Check;
  private countInStore = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
    @Inject(WECHAT_STORE) private readonly store: WechatStore,
  ) {}

  get enabled(): boolean {
    return this.options.rateLimitPerMinute > 0;
  }

  async onModuleInit(): Promise<void> {
    const adapter = this.adapterHost.httpAdapter;
    if (!this.enabled || !adapter) return;
    if (adapter.getType() !== 'fastify') {
      this.countInStore = true;
      return;
    }
    const plugin = await loadPeer<{ default: typeof fastifyRateLimit }>(
      '@fastify/rate-limit',
      'rate limits on @nestjs/platform-fastify',
    );
    this.fastify = adapter.getInstance<FastifyInstance>();
    void this.fastify.register(plugin.default, {
      global: false,
      max: this.options.rateLimitPerMinute,
      timeWindow: WINDOW_MS,
      skipOnError: true,
      store: storeCounter(this.store, `${this.options.keyPrefix}rl:`),
    });
  }

  /** Lets the request go on, or throws 429 `RATE_LIMITED` after setting `Retry-After` on `reply`. */
  async admit(request: object, reply: { header(name: string, value: string): unknown }): Promise<void> {
    const verdict = await this.verdict(request);
    if (verdict.allowed) return;
    reply.header('retry-after', String(verdict.retryAfterSec));
    throw new HttpProblem(429, 'RATE_LIMITED', `too many requests; try again in ${verdict.retryAfterSec} s`, {
      retryAfter: verdict.retryAfterSec,
    });
  }

  async verdict(request: object): Promise<RateVerdict> {
    if (this.countInStore) return this.countedInStore((request as { ip?: string }).ip ?? 'unknown');
    if (!this.enabled || !this.fastify) return { allowed: true };
    // the decorator exists once the plugin has loaded (the app is ready before any request)
    this.check ??= this.fastify.createRateLimit();
    const limit = await this.check(request as FastifyRequest);
    if (limit.isAllowed || !limit.isExceeded) return { allowed: true };
    return { allowed: false, retryAfterSec: Math.max(1, limit.ttlInSeconds ?? 60) };
  }

  private async countedInStore(ip: string): Promise<RateVerdict> {
    try {
      const hit = await this.store.hit(`${this.options.keyPrefix}rl:${ip}`, WINDOW_MS);
      if (hit.count <= this.options.rateLimitPerMinute) return { allowed: true };
      return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(hit.resetMs / 1000)) };
    } catch {
      return { allowed: true };
    }
  }
}
