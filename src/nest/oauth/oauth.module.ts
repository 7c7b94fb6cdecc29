import { type DynamicModule, Module } from '@nestjs/common';
import { normalizePrefix, withControllers } from '../http/with-controllers.js';
import { OAuthController } from './oauth.controller.js';
import {
  OAUTH_ASYNC_OPTIONS_TYPE,
  OAUTH_MODULE_OPTIONS,
  OAUTH_OPTIONS_TYPE,
  OAuthConfigurableModule,
} from './oauth.module-definition.js';
import {
  DEFAULT_OAUTH_PREFIX,
  OAUTH_OPTIONS,
  OAUTH_ROUTE_PREFIX,
  type OAuthModuleOptions,
  resolveOAuthOptions,
} from './oauth.options.js';
import { OAuthService } from './oauth.service.js';
import { WechatAuthGuard } from './wechat-auth.guard.js';
import { WechatSessions } from '../sessions/wechat-sessions.js';

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
    OAuthService,
    WechatAuthGuard,
    WechatSessions,
  ],
  exports: [OAUTH_OPTIONS, OAuthService, WechatAuthGuard, WechatSessions],
})
export class OAuthModule extends OAuthConfigurableModule {
  static override forRoot(options: typeof OAUTH_OPTIONS_TYPE): DynamicModule {
    return withRoutePrefix(withControllers(super.forRoot(options), options, [OAuthController]), options.routePrefix);
  }

  static override forRootAsync(options: typeof OAUTH_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withRoutePrefix(withControllers(super.forRootAsync(options), options, [OAuthController]), options.routePrefix);
  }
}

/** The login and callback urls follow the mount point of the routes. */
function withRoutePrefix(module: DynamicModule, prefix: string | undefined): DynamicModule {
  const provider = { provide: OAUTH_ROUTE_PREFIX, useValue: normalizePrefix(prefix ?? DEFAULT_OAUTH_PREFIX) };
  return { ...module, providers: [...(module.providers ?? []), provider] };
}
