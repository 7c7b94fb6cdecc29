import { type DynamicModule, Inject, Injectable, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { WechatAccountSettings } from '../../core/accounts/account-config.js';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { WechatEvents } from '../../core/events.js';
import { MessageCipher } from '../../core/messages/message-cipher.js';
import { MessageDesk, type PushKeys } from '../../core/messages/message-desk.js';
import { MessageOnce } from '../../core/messages/message-once.js';
import { WECHAT_STORE, type WechatStore } from '../../core/wechat-store.js';
import { GlobalPrefix } from '../http/global-prefix.js';
import { normalizePrefix } from '../http/with-controllers.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat.options.js';
import { mountMessageRoutes } from './message-routes.js';
import {
  MESSAGES_ASYNC_OPTIONS_TYPE,
  MESSAGES_MODULE_OPTIONS,
  MESSAGES_OPTIONS_TYPE,
  MessagesConfigurableModule,
  type MessagesModuleExtras,
} from './messages.module-definition.js';
import { resolveMessagesOptions, type MessagesModuleOptions, type ResolvedMessagesOptions } from './messages.options.js';

const MESSAGES_OPTIONS = Symbol('MESSAGES_OPTIONS');
const MESSAGES_PATH = Symbol('MESSAGES_PATH');

/** Each account's token and cipher, made once at start (a bad EncodingAESKey stops the start). */
function keysByAccount(accounts: readonly WechatAccountSettings[]): Map<string, PushKeys> {
  const keys = new Map<string, PushKeys>();
  for (const a of accounts) {
    if (!a.messageToken) continue;
    keys.set(a.appId, {
      token: a.messageToken,
      cipher: a.messageAesKey ? new MessageCipher(a.messageAesKey, a.appId) : undefined,
    });
  }
  return keys;
}

@Injectable()
class MessageRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly prefix: GlobalPrefix,
    private readonly desk: MessageDesk,
    private readonly accounts: WechatAccounts,
    @Inject(MESSAGES_PATH) private readonly path: string,
  ) {}

  onModuleInit(): void {
    mountMessageRoutes(this.adapterHost, this.prefix.apply(this.path), this.desk, this.accounts.default.appId);
  }
}

/**
 * The account's messages (服务器配置): the url check, pushes in plain, compatible and safe mode,
 * each message handled once across instances, passive replies in time and late ones as
 * customer-service messages. Needs WechatModule; accounts take `messageToken` / `messageAesKey`.
 */
@Module({
  providers: [
    {
      provide: MESSAGES_OPTIONS,
      inject: [MESSAGES_MODULE_OPTIONS],
      useFactory: (o: MessagesModuleOptions) => resolveMessagesOptions(o),
    },
    {
      provide: MessageDesk,
      inject: [MESSAGES_OPTIONS, WECHAT_OPTIONS, WECHAT_STORE, WechatAccounts, WechatEvents],
      useFactory: (
        o: ResolvedMessagesOptions,
        wechat: ResolvedWechatOptions,
        store: WechatStore,
        accounts: WechatAccounts,
        events: WechatEvents,
      ) => {
        const keys = keysByAccount(wechat.accounts);
        return new MessageDesk({
          keysOf: (appId) => keys.get(appId),
          handler: o.handler,
          once: new MessageOnce(store, wechat.keyPrefix),
          sendLater: (appId, openid, reply) => accounts.get(appId).messages.send(openid, reply),
          replyTimeoutMs: o.replyTimeoutMs,
          lateReplyLimitMs: o.lateReplyLimitMs,
          clock: Date.now,
          log: new Logger('WechatMessages'),
          events,
        });
      },
    },
  ],
  exports: [MessageDesk],
})
export class MessagesModule extends MessagesConfigurableModule {
  static override forRoot(options: typeof MESSAGES_OPTIONS_TYPE = {}): DynamicModule {
    return withRoutes(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof MESSAGES_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withRoutes(super.forRootAsync(options), options);
  }
}

function withRoutes(module: DynamicModule, extras: Partial<MessagesModuleExtras>): DynamicModule {
  if (extras.routes === false) return module;
  const path = `/${normalizePrefix(extras.routePrefix ?? 'wechat/messages')}`;
  return { ...module, providers: [...(module.providers ?? []), { provide: MESSAGES_PATH, useValue: path }, MessageRoutes] };
}
