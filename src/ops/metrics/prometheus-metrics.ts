import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { type CacheTier, type CallOutcome, type LoginOutcome, WechatEvents, type WechatEventListener } from '../../wechat/wechat-events.js';

/**
 * Turns WechatEvents into Prometheus metrics, in a registry of its own (a host's default
 * registry is left alone; merge with `Registry.merge` if wanted).
 */
@Injectable()
export class PrometheusMetrics implements WechatEventListener, OnModuleInit, OnModuleDestroy {
  readonly registry = new Registry();
  private unsubscribe?: () => void;

  private readonly apiCalls = new Counter({
    name: 'wechat_api_calls_total', help: 'Calls to WeChat by endpoint and outcome (ok, errcode, transport)',
    labelNames: ['endpoint', 'outcome'] as const, registers: [this.registry],
  });
  private readonly apiDuration = new Histogram({
    name: 'wechat_api_call_duration_seconds', help: 'Duration of one call to WeChat',
    labelNames: ['endpoint'] as const, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry],
  });
  private readonly refreshes = new Counter({
    name: 'wechat_credential_refreshes_total', help: 'Credential fetches from WeChat by credential and result',
    labelNames: ['credential', 'result'] as const, registers: [this.registry],
  });
  private readonly refreshDuration = new Histogram({
    name: 'wechat_credential_refresh_duration_seconds', help: 'Latency of a credential fetch, retries included',
    labelNames: ['credential'] as const, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  // Memory hits happen on every signature: counted in plain integers, handed over at scrape time.
  private readonly memoryHits = new Map<string, number>();
  private readonly cache = new Counter({
    name: 'wechat_credential_cache_lookups_total', help: 'Credential cache lookups by tier (memory, shared) and result',
    labelNames: ['credential', 'tier', 'result'] as const, registers: [this.registry],
    collect: () => this.flushMemoryHits(),
  });
  private readonly signatures = new Counter({
    name: 'wechat_signatures_total', help: 'Signatures served (jsapi: wx.config, card: wx.chooseCard)',
    labelNames: ['kind'] as const, registers: [this.registry],
    collect: () => {
      if (this.jsapiSignatures) this.signatures.labels('jsapi').inc(this.jsapiSignatures);
      this.jsapiSignatures = 0;
    },
  });
  private readonly logins = new Counter({
    name: 'wechat_logins_total', help: 'OAuth callbacks by outcome',
    labelNames: ['outcome'] as const, registers: [this.registry],
  });
  private jsapiSignatures = 0;

  constructor(private readonly events: WechatEvents) {
    collectDefaultMetrics({ register: this.registry, prefix: 'wechat_h5_' });
  }

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe(this);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  apiCall(endpoint: string, outcome: CallOutcome, elapsedMs: number): void {
    this.apiCalls.labels(endpoint, outcome).inc();
    this.apiDuration.labels(endpoint).observe(elapsedMs / 1000);
  }

  cacheLookup(credential: string, tier: CacheTier, hit: boolean): void {
    if (tier === 'memory' && hit) this.memoryHits.set(credential, (this.memoryHits.get(credential) ?? 0) + 1);
    else this.cache.labels(credential, tier, hit ? 'hit' : 'miss').inc();
  }

  credentialRefresh(credential: string, ok: boolean, elapsedMs: number): void {
    this.refreshes.labels(credential, ok ? 'ok' : 'error').inc();
    this.refreshDuration.labels(credential).observe(elapsedMs / 1000);
  }

  signature(kind: 'jsapi' | 'card'): void {
    if (kind === 'jsapi') this.jsapiSignatures += 1;
    else this.signatures.labels(kind).inc();
  }

  private flushMemoryHits(): void {
    for (const [credential, hits] of this.memoryHits) this.cache.labels(credential, 'memory', 'hit').inc(hits);
    this.memoryHits.clear();
  }

  login(outcome: LoginOutcome): void {
    this.logins.labels(outcome).inc();
  }
}
