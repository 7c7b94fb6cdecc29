import { Inject, Logger, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CoreProblemFilter } from './http/problem.filter.js';
import { WechatAccounts } from '../core/accounts/wechat-accounts.js';
import { GlobalPrefix } from './http/global-prefix.js';
import { redactUrlCredentials } from '../core/redact.js';
import { WechatApiClient } from '../transport/wechat-api.client.js';
import { createStore } from '../store/create-store.js';
import { WECHAT_STORE, type WechatStore } from '../core/wechat-store.js';
import { CredentialCache } from '../core/credentials/credential-cache.js';
import { RefreshBudget } from '../core/credentials/refresh-budget.js';
import { RateLimiter } from './rate-limit/rate-limiter.js';
import { RateLimitGuard } from './rate-limit/rate-limit.guard.js';
import { WECHAT_MODULE_OPTIONS, WechatConfigurableModule } from './wechat.module-definition.js';
import { WechatEvents } from '../core/events.js';
import { resolveWechatOptions, WECHAT_OPTIONS, type ResolvedWechatOptions, type WechatModuleOptions } from './wechat.options.js';

const providers: Provider[] = [
  {
    provide: WECHAT_OPTIONS,
    inject: [WECHAT_MODULE_OPTIONS],
    useFactory: (options: WechatModuleOptions) => resolveWechatOptions(options),
  },
  {
    provide: WECHAT_STORE,
    inject: [WECHAT_OPTIONS],
    useFactory: (options: ResolvedWechatOptions) => {
      const logger = new Logger('Redis');
      return createStore({
        ...options.topology,
        commandTimeoutMs: options.redisCommandTimeoutMs,
        warn: (message) => logger.warn(redactUrlCredentials(message)),
      });
    },
  },
  {
    provide: CredentialCache,
    inject: [WECHAT_STORE, WECHAT_OPTIONS, WechatEvents],
    useFactory: (store: WechatStore, options: ResolvedWechatOptions, events: WechatEvents) => {
      const { attempts, maxDelayMs } = options.retryPolicy;
      // A fetch with all its retries must finish inside the lock's lifetime.
      const lockTtlMs = attempts * options.httpTimeoutMs + attempts * maxDelayMs + 2000;
      const waitBudgetMs = lockTtlMs + 2000;
      return new CredentialCache(
        store,
        {
          lockTtlMs,
          waitBudgetMs,
          pollIntervalMs: 25,
          backgroundRetryMs: 5000,
          failureCooldownMs: 1000,
          // a fetch makes at most six store calls around the WeChat calls, each bounded
          inflightDeadlineMs: waitBudgetMs + 6 * options.redisCommandTimeoutMs,
        },
        Date.now,
        events,
        new Logger('CredentialCache'),
      );
    },
  },
  {
    provide: RefreshBudget,
    inject: [WECHAT_STORE],
    useFactory: (store: WechatStore) => new RefreshBudget(store),
  },
  {
    provide: WechatAccounts,
    inject: [WECHAT_OPTIONS, WechatApiClient, CredentialCache, RefreshBudget, WechatEvents],
    useFactory: (
      options: ResolvedWechatOptions,
      transport: WechatApiClient,
      cache: CredentialCache,
      budget: RefreshBudget,
      events: WechatEvents,
    ) => {
      const logger = new Logger('WechatAccounts');
      const source = options.credentialSource;
      if (source) logger.log('access_tokens and tickets are read from the credential source, not from WeChat');
      return new WechatAccounts(options.accounts, {
        transport,
        cache,
        budget,
        events,
        keyPrefix: options.keyPrefix,
        log: logger,
        source,
      });
    },
  },
  // the core's errors reach a host's own routes as the JSON of their status, not as a 500
  { provide: APP_FILTER, useClass: CoreProblemFilter },
  WechatEvents,
  {
    provide: WechatApiClient,
    inject: [WECHAT_OPTIONS, WechatEvents],
    useFactory: ({ apiBaseUrl, httpTimeoutMs, retryPolicy, httpProxy }: ResolvedWechatOptions, events: WechatEvents) =>
      new WechatApiClient({ apiBaseUrl, httpTimeoutMs, retryPolicy, httpProxy }, events, new Logger('WechatApiClient')),
  },
  GlobalPrefix,
  RateLimiter,
  RateLimitGuard,
];

const exported = [
  WECHAT_OPTIONS,
  WECHAT_STORE,
  CredentialCache,
  RefreshBudget,
  WechatEvents,
  WechatAccounts,
  GlobalPrefix,
  WechatApiClient,
  RateLimiter,
  RateLimitGuard,
];

/**
 * The importable core: cluster-safe credentials, the WeChat API client and JS-SDK signing.
 * `WechatModule.forRoot({...})` or `forRootAsync({ imports, inject, useFactory })`; the extras
 * `routes` and `routePrefix` place the signing routes (jssdk.routes.ts).
 */
@Module({ providers, exports: exported })
export class WechatModule extends WechatConfigurableModule implements OnApplicationShutdown {
  constructor(
    @Inject(WECHAT_STORE) private readonly store: WechatStore,
    private readonly credentials: CredentialCache,
  ) {
    super();
  }

  /** Runs after the HTTP server stopped: let fetches in flight finish and release their locks, then close Redis. */
  async onApplicationShutdown(): Promise<void> {
    await this.credentials.settle();
    await this.store.close();
  }
}
