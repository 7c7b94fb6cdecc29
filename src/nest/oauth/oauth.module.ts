import { type DynamicModule, Module } from '@nestjs/common';
import { normalizePrefix, withControllers } from '../http/with-controllers.js';
import { OAuthController } from './oauth.controller.js';
import { HandoffController } from './handoff.controller.js';
import { HandoffDesk } from '../../core/oauth/handoff.js';
import { AccountOAuth } from '../../core/oauth/account-oauth.js';
import { WechatApiClient } from '../../transport/wechat-api.client.js';
import { WECHAT_STORE, type WechatStore } from '../../core/wechat-store.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat.options.js';
import {
  OAUTH_ASYNC_OPTIONS_TYPE,
  OAUTH_MODULE_OPTIONS,
  OAUTH_OPTIONS_TYPE,
  OAuthConfigurableModule,
} from './oauth.module-definition.js';
import {
  DEFAULT_OAUTH_PREFIX,
  HANDOFF_DESK,
  OAUTH_OPTIONS,
  WEBSITE_LOGIN,
  OAUTH_ROUTE_PREFIX,
  type OAuthModuleOptions,
  resolveOAuthOptions,
  type ResolvedOAuthOptions,
} from './oauth.options.js';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { GlobalPrefix } from '../http/global-prefix.js';
import { UserMapping } from './user-mapping.js';
import { WechatAuthGuard } from './wechat-auth.guard.js';
import { WechatSessions } from '../sessions/wechat-sessions.js';

/** The accounts once OAuthModule gave them their login settings. */
const OAUTH_ACCOUNTS = Symbol('OAUTH_ACCOUNTS');

/**
 * WeChat login (网页授权) into a server-side session user. Needs WechatModule (for the AppID,
 * secret, API client and the shared store, where the sessions live too).
 */
@Module({
  providers: [
    {
      provide: OAUTH_OPTIONS,
      inject: [OAUTH_MODULE_OPTIONS, OAUTH_ROUTE_PREFIX],
      useFactory: (options: OAuthModuleOptions, prefix: string) => resolveOAuthOptions(options, prefix),
    },
    {
      // every account's login takes its callback url and scope from here
      provide: OAUTH_ACCOUNTS,
      inject: [WechatAccounts, OAUTH_OPTIONS, GlobalPrefix],
      useFactory: (accounts: WechatAccounts, options: ResolvedOAuthOptions, prefix: GlobalPrefix) => {
        const { publicBaseUrl, callbackPath, openBaseUrl, scope, lang } = options;
        accounts.useOAuth({
          openBaseUrl,
          scope,
          lang,
          // the redirect_uri follows app.setGlobalPrefix(), which is only known once the app starts
          get callbackUrl() {
            return `${publicBaseUrl}${prefix.apply(callbackPath)}`;
          },
        });
        return accounts;
      },
    },
    {
      provide: WEBSITE_LOGIN,
      inject: [OAUTH_OPTIONS, WechatApiClient, GlobalPrefix],
      useFactory: (
        { website, publicBaseUrl, callbackPath, openBaseUrl, lang }: ResolvedOAuthOptions,
        transport: WechatApiClient,
        prefix: GlobalPrefix,
      ) =>
        website
          ? new AccountOAuth(website, transport, {
              openBaseUrl,
              scope: 'snsapi_userinfo',
              lang,
              get callbackUrl() {
                return `${publicBaseUrl}${prefix.apply(callbackPath)}`;
              },
            })
          : null,
    },
    {
      provide: HANDOFF_DESK,
      inject: [WECHAT_STORE, WECHAT_OPTIONS, OAUTH_OPTIONS],
      useFactory: (store: WechatStore, wechat: ResolvedWechatOptions, options: ResolvedOAuthOptions) =>
        new HandoffDesk({ store, keyPrefix: wechat.keyPrefix, ttlMs: options.handoffTtlMs, clock: Date.now }),
    },
    UserMapping,
    WechatAuthGuard,
    WechatSessions,
  ],
  exports: [OAUTH_OPTIONS, HANDOFF_DESK, UserMapping, WechatAuthGuard, WechatSessions],
})
export class OAuthModule extends OAuthConfigurableModule {
  static override forRoot(options: typeof OAUTH_OPTIONS_TYPE): DynamicModule {
    return withRoutePrefix(
      withControllers(super.forRoot(options), options, [OAuthController, HandoffController]),
      options.routePrefix,
    );
  }

  static override forRootAsync(options: typeof OAUTH_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withRoutePrefix(
      withControllers(super.forRootAsync(options), options, [OAuthController, HandoffController]),
      options.routePrefix,
    );
  }
}

/** The login and callback urls follow the mount point of the routes. */
function withRoutePrefix(module: DynamicModule, prefix: string | undefined): DynamicModule {
  const provider = { provide: OAUTH_ROUTE_PREFIX, useValue: normalizePrefix(prefix ?? DEFAULT_OAUTH_PREFIX) };
  return { ...module, providers: [...(module.providers ?? []), provider] };
}
