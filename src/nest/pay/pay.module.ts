import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { WechatEvents } from '../../core/events.js';
import type { PayOrders } from '../../core/pay/pay-orders.js';
import { PayService } from '../../core/pay/pay-service.js';
import { PlatformCertificates } from '../../core/pay/platform-certificates.js';
import { type MerchantCredentials, WechatPayClient } from '../../core/pay/wechatpay-client.js';
import { CombinedKeys } from '../../core/pay/wechatpay-verifier.js';
import { createPayLedger } from '../../ledger/index.js';
import { PayHttpClient } from '../../transport/pay-http.js';
import { GlobalPrefix } from '../http/global-prefix.js';
import { normalizePrefix, withControllers } from '../http/with-controllers.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat.options.js';
import { PayController } from './pay.controller.js';
import {
  PAY_ASYNC_OPTIONS_TYPE,
  PAY_MODULE_OPTIONS,
  PAY_OPTIONS_TYPE,
  PayConfigurableModule,
  type PayModuleExtras,
} from './pay.module-definition.js';
import { PAY_OPTIONS, resolvePayOptions, type PayModuleOptions, type ResolvedPayOptions } from './pay.options.js';
import { mountNotifyRoute } from './pay-notify.route.js';

/** The pay ledger in use: the host's repository, PostgreSQL, or the embedded twin. */
export const PAY_ORDERS = Symbol('PAY_ORDERS');
const PAY_NOTIFY_PATH = Symbol('PAY_NOTIFY_PATH');
const PAY_KEYS = Symbol('PAY_KEYS');

/** Mounts POST {prefix}/notify on the platform itself (its body must stay raw bytes). */
@Injectable()
class PayNotifyRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly prefix: GlobalPrefix,
    private readonly pay: PayService,
    @Inject(PAY_NOTIFY_PATH) private readonly path: string,
  ) {}

  onModuleInit(): void {
    mountNotifyRoute(this.adapterHost, this.prefix.apply(this.path), (headers, raw) => this.pay.handleNotification(headers, raw));
  }
}

/**
 * WeChat Pay (JSAPI, APIv3) for the page: orders for logged-in users, verified notifications applied
 * once, refunds, and a ledger that is a database. Needs WechatModule and OAuthModule (global).
 */
@Module({
  providers: [
    {
      provide: PAY_OPTIONS,
      inject: [PAY_MODULE_OPTIONS],
      useFactory: (options: PayModuleOptions) => resolvePayOptions(options),
    },
    {
      provide: PAY_ORDERS,
      inject: [PAY_OPTIONS],
      useFactory: (o: ResolvedPayOptions): PayOrders => {
        if (o.orders) return o.orders;
        if (!o.databaseUrl)
          new Logger('WechatPay').warn(
            `the pay ledger is embedded (PGlite, ${o.ledgerDir ? `under ${o.ledgerDir}` : 'in memory'}), for development only: give databaseUrl (PostgreSQL) or orders`,
          );
        return createPayLedger({
          databaseUrl: o.databaseUrl,
          dataDir: o.ledgerDir,
          schema: o.ledgerSchema,
          production: o.production,
        });
      },
    },
    {
      provide: PAY_KEYS,
      inject: [PAY_OPTIONS],
      useFactory: (o: ResolvedPayOptions) => new CombinedKeys(o.publicKey),
    },
    {
      provide: WechatPayClient,
      inject: [PAY_OPTIONS, PAY_KEYS, WECHAT_OPTIONS],
      useFactory: (o: ResolvedPayOptions, keys: CombinedKeys, wechat: ResolvedWechatOptions) => {
        const http = new PayHttpClient({ timeoutMs: o.timeoutMs, httpProxy: wechat.httpProxy });
        const merchant = merchantOf(o);
        return new WechatPayClient(merchant, keys, http, Date.now, new Logger('WechatPay'));
      },
    },
    {
      provide: PayService,
      inject: [PAY_OPTIONS, PAY_ORDERS, PAY_KEYS, WechatPayClient, WechatAccounts, WechatEvents],
      useFactory: (
        o: ResolvedPayOptions,
        orders: PayOrders,
        keys: CombinedKeys,
        client: WechatPayClient,
        accounts: WechatAccounts,
        events: WechatEvents,
      ) => {
        const merchant = merchantOf(o);
        const pay = new PayService({
          merchant,
          notifyUrl: o.notifyUrl,
          client,
          orders,
          keys,
          hooks: o.hooks,
          clock: Date.now,
          logger: new Logger('WechatPay'),
          events,
        });
        accounts.usePay(pay);
        return pay;
      },
    },
  ],
  exports: [PayService, PAY_ORDERS],
})
export class PayModule extends PayConfigurableModule implements OnApplicationBootstrap, OnModuleDestroy {
  private certificates?: PlatformCertificates;

  constructor(
    @Inject(PAY_OPTIONS) private readonly options: ResolvedPayOptions,
    @Inject(PAY_ORDERS) private readonly orders: PayOrders,
    @Inject(PAY_KEYS) private readonly keys: CombinedKeys,
    private readonly client: WechatPayClient,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // PostgreSQL's tables are made at start, so a database the service cannot use shows now, not at the first order
    if (!this.options.orders && this.options.databaseUrl)
      await this.orders
        .open?.()
        .catch((error: unknown) =>
          new Logger('WechatPay').error(`the pay ledger could not be opened: ${(error as Error)?.message ?? 'error'}`),
        );
    if (!this.options.platformCertificates) return;
    this.certificates = new PlatformCertificates(this.client, this.keys, new Logger('WechatPay'));
    await this.certificates.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.certificates?.stop();
    // a repository the host handed in is the host's to close
    if (!this.options.orders) await this.orders.close?.();
  }

  static override forRoot(options: typeof PAY_OPTIONS_TYPE): DynamicModule {
    return withNotify(withControllers(super.forRoot(options), options, [PayController]), options);
  }

  static override forRootAsync(options: typeof PAY_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withNotify(withControllers(super.forRootAsync(options), options, [PayController]), options);
  }
}

function merchantOf(o: ResolvedPayOptions): MerchantCredentials {
  return { mchId: o.mchId, privateKey: o.privateKey, certSerial: o.certSerial, apiV3Key: o.apiV3Key, baseUrl: o.baseUrl };
}

function withNotify(module: DynamicModule, extras: Partial<PayModuleExtras>): DynamicModule {
  if (extras.routes === false) return module;
  const path = `/${normalizePrefix(extras.routePrefix ?? 'wechat/pay')}/notify`;
  return { ...module, providers: [...(module.providers ?? []), { provide: PAY_NOTIFY_PATH, useValue: path }, PayNotifyRoute] };
}
