import { HttpModule } from '@nestjs/axios';
import { Inject, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { WechatApiClient } from './api/wechat-api.client.js';
import { CacheManagerCredentialStore } from './credentials/cache-manager.store.js';
import { CredentialCache } from './credentials/credential-cache.js';
import { createSharedCache, type SharedCache } from './credentials/shared-cache.factory.js';
import { TicketService } from './credentials/ticket.service.js';
import { TokenService } from './credentials/token.service.js';
import { SignatureService } from './jssdk/signature.service.js';
import { WECHAT_MODULE_OPTIONS, WechatConfigurableModule } from './wechat.module-definition.js';
import { WechatEvents } from './wechat-events.js';
import { resolveWechatOptions, WECHAT_OPTIONS, type ResolvedWechatOptions, type WechatModuleOptions } from './wechat.options.js';

export const WECHAT_SHARED_CACHE = Symbol('WECHAT_SHARED_CACHE');
export const WECHAT_CREDENTIAL_STORE = Symbol('WECHAT_CREDENTIAL_STORE');

const providers: Provider[] = [
  {
    provide: WECHAT_OPTIONS,
    inject: [WECHAT_MODULE_OPTIONS],
    useFactory: (options: WechatModuleOptions) => resolveWechatOptions(options),
  },
  {
    provide: WECHAT_SHARED_CACHE,
    inject: [WECHAT_OPTIONS],
    useFactory: (options: ResolvedWechatOptions) => createSharedCache(options),
  },
  {
    provide: WECHAT_CREDENTIAL_STORE,
    inject: [WECHAT_SHARED_CACHE],
    useFactory: (shared: SharedCache) => new CacheManagerCredentialStore(shared.cache, shared.redis),
  },
  {
    provide: CredentialCache,
    inject: [WECHAT_CREDENTIAL_STORE, WECHAT_OPTIONS, WechatEvents],
    useFactory: (store: CacheManagerCredentialStore, options: ResolvedWechatOptions, events: WechatEvents) => {
      const { attempts, maxDelayMs } = options.retryPolicy;
      // A fetch with all its retries must finish inside the lock's lifetime.
      const lockTtlMs = attempts * options.httpTimeoutMs + attempts * maxDelayMs + 2000;
      return new CredentialCache(store, {
        lockTtlMs, waitBudgetMs: lockTtlMs + 2000, pollIntervalMs: 25, backgroundRetryMs: 5000, failureCooldownMs: 1000,
      }, Date.now, events);
    },
  },
  WechatEvents,
  WechatApiClient,
  TokenService,
  TicketService,
  SignatureService,
];

const exported = [
  WECHAT_OPTIONS, WECHAT_CREDENTIAL_STORE, WECHAT_SHARED_CACHE, CredentialCache, WechatEvents,
  WechatApiClient, TokenService, TicketService, SignatureService,
];

/**
 * The importable core: cluster-safe credentials, the WeChat API client and JS-SDK signing.
 * `WechatModule.forRoot({...})` or `forRootAsync({ imports, inject, useFactory })`; the extras
 * `routes` and `routePrefix` place the signing routes (jssdk.routes.ts).
 */
@Module({ imports: [HttpModule], providers, exports: exported })
export class WechatModule extends WechatConfigurableModule implements OnApplicationShutdown {
  constructor(
    @Inject(WECHAT_SHARED_CACHE) private readonly shared: SharedCache,
    private readonly credentials: CredentialCache,
  ) {
    super();
  }

  /** Runs after the HTTP server stopped: let fetches in flight finish and release their locks, then close Redis. */
  async onApplicationShutdown(): Promise<void> {
    await this.credentials.settle();
    await this.shared.close();
  }
}
