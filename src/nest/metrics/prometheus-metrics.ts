import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createRequire } from 'node:module';
import { isModuleNotFound, missingPeerError } from '../../core/load-peer.js';
import type * as PromClient from 'prom-client';
import {
  type CacheTier,
  type CallOutcome,
  type LoginOutcome,
  WechatEvents,
  type WechatEventListener,
} from '../../core/events.js';

/** prom-client, an optional peer: loaded when metrics are first built, with an error naming it when missing. */
function promClient(): typeof PromClient {
  try {
    return createRequire(import.meta.url)('prom-client') as typeof PromClient;
  } catch (error) {
    throw isModuleNotFound(error) ? missingPeerError('prom-client', 'MetricsModule') : error;
  }
}

/**
 * Turns WechatEvents into Prometheus metrics, in a registry of its own (a host's default
 * registry is left alone; merge with `Registry.merge` if wanted).
 */
@Injectable()
export class PrometheusMetrics implements WechatEventListener, OnModuleInit, OnModuleDestroy {
  private readonly prom = promClient();
  readonly registry: PromClient.Registry = new this.prom.Registry();
  private unsubscribe?: () => void;

  private readonly apiCalls = new this.prom.Counter({
    name: 'wechat_api_calls_total',
    help: 'Calls to WeChat by endpoint and outcome (ok, errcode, transport)',
    labelNames: ['app_id', 'endpoint', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly apiDuration = new this.prom.Histogram({
    name: 'wechat_api_call_duration_seconds',
    help: 'Duration of one call to WeChat',
    labelNames: ['app_id', 'endpoint'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly refreshes = new this.prom.Counter({
    name: 'wechat_credential_refreshes_total',
    help: 'Credential fetches from WeChat by credential and result',
    labelNames: ['app_id', 'credential', 'result'] as const,
    registers: [this.registry],
  });
  private readonly refreshDuration = new this.prom.Histogram({
    name: 'wechat_credential_refresh_duration_seconds',
    help: 'Latency of a credential fetch, retries included',
    labelNames: ['app_id', 'credential'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  // Memory hits happen on every signature: counted in plain integers per account and credential,
  // handed over at scrape time.
  private readonly memoryHits = new Map<string, Map<string, number>>();
  private readonly cache = new this.prom.Counter({
    name: 'wechat_credential_cache_lookups_total',
    help: 'Credential cache lookups by tier (memory, shared) and result',
    labelNames: ['app_id', 'credential', 'tier', 'result'] as const,
    registers: [this.registry],
    collect: () => this.flushMemoryHits(),
  });
  private readonly signatures = new this.prom.Counter({
    name: 'wechat_signatures_total',
    help: 'Signatures served (jsapi: wx.config, card: wx.chooseCard)',
    labelNames: ['app_id', 'kind'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [appId, count] of this.jsapiSignatures) this.signatures.labels(appId, 'jsapi').inc(count);
      this.jsapiSignatures.clear();
    },
  });
  private readonly logins = new this.prom.Counter({
    name: 'wechat_logins_total',
    help: 'OAuth callbacks by outcome',
    labelNames: ['app_id', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly credentialRequests = new this.prom.Counter({
    name: 'wechat_credential_api_requests_total',
    help: 'Requests to the credential API by consumer and kind (access_token/invalid: reports of a rejected token)',
    labelNames: ['consumer', 'kind'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [label, count] of this.credentialRequestCounts) {
        const [consumer = '', kind = ''] = label.split(' ');
        this.credentialRequests.labels(consumer, kind).inc(count);
      }
      this.credentialRequestCounts.clear();
    },
  });
  private readonly payOrders = new this.prom.Counter({
    name: 'wechat_pay_orders_total',
    help: 'Pay orders reaching a state (NOTPAY when recorded, SUCCESS, CLOSED, REFUND, REVIEW)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  private readonly payNotifications = new this.prom.Counter({
    name: 'wechat_pay_notifications_total',
    help: 'Notifications from WeChat Pay by result (applied, duplicate, review, refused, failed, ...)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly messages = new this.prom.Counter({
    name: 'wechat_messages_total',
    help: 'Messages pushed by WeChat by account, MsgType, Event and outcome (replied, nothing, repeat, deferred, sent_later, send_failed, dropped, failed)',
    labelNames: ['app_id', 'msg_type', 'event', 'outcome'] as const,
    registers: [this.registry],
  });
  // counted in plain integers per consumer and kind (a consumer may ask often), handed over at scrape time
  private readonly credentialRequestCounts = new Map<string, number>();
  private readonly jsapiSignatures = new Map<string, number>();

  constructor(private readonly events: WechatEvents) {
    this.prom.collectDefaultMetrics({ register: this.registry, prefix: 'wechat_h5_' });
  }

  onModuleInit(): void {
    this.unsubscribe = this.events.subscribe(this);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  apiCall(endpoint: string, outcome: CallOutcome, elapsedMs: number, appId: string): void {
    this.apiCalls.labels(appId, endpoint, outcome).inc();
    this.apiDuration.labels(appId, endpoint).observe(elapsedMs / 1000);
  }

  cacheLookup(credential: string, tier: CacheTier, hit: boolean, appId: string): void {
    if (tier === 'memory' && hit) {
      let hits = this.memoryHits.get(appId);
      if (!hits) this.memoryHits.set(appId, (hits = new Map()));
      hits.set(credential, (hits.get(credential) ?? 0) + 1);
    } else {
      this.cache.labels(appId, credential, tier, hit ? 'hit' : 'miss').inc();
    }
  }

  credentialRefresh(credential: string, ok: boolean, elapsedMs: number, appId: string): void {
    this.refreshes.labels(appId, credential, ok ? 'ok' : 'error').inc();
    this.refreshDuration.labels(appId, credential).observe(elapsedMs / 1000);
  }

  signature(kind: 'jsapi' | 'card', appId: string): void {
    if (kind === 'jsapi') this.jsapiSignatures.set(appId, (this.jsapiSignatures.get(appId) ?? 0) + 1);
    else this.signatures.labels(appId, kind).inc();
  }

  private flushMemoryHits(): void {
    for (const [appId, hits] of this.memoryHits) {
      for (const [credential, count] of hits) this.cache.labels(appId, credential, 'memory', 'hit').inc(count);
    }
    this.memoryHits.clear();
  }

  login(outcome: LoginOutcome, appId: string): void {
    this.logins.labels(appId, outcome).inc();
  }

  credentialRequest(consumer: string, kind: string): void {
    // neither a consumer's name nor a kind has a space
    const label = `${consumer} ${kind}`;
    this.credentialRequestCounts.set(label, (this.credentialRequestCounts.get(label) ?? 0) + 1);
  }

  payOrder(state: string): void {
    this.payOrders.labels(state).inc();
  }

  payNotification(result: string): void {
    this.payNotifications.labels(result).inc();
  }
  message(appId: string, msgType: string, event: string, outcome: string): void {
    this.messages.labels(appId, msgType, event, outcome).inc();
  }
}
