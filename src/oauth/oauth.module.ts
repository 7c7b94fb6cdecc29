import { withControllers } from '../common/with-controllers.js';
import { type DynamicModule, Module } from '@nestjs/common';
import { OAuthController } from './oauth.controller.js';
import {
  OAUTH_ASYNC_OPTIONS_TYPE, OAUTH_MODULE_OPTIONS, OAUTH_OPTIONS_TYPE, OAuthConfigurableModule,
} from './oauth.module-definition.js';
import { OAUTH_OPTIONS, type OAuthModuleOptions, resolveOAuthOptions } from './oauth.options.js';
import { OAuthService } from './oauth.service.js';
import { WechatAuthGuard } from './wechat-auth.guard.js';

/**
 * WeChat login (网页授权) into a server-side session user. Needs WechatModule (for the AppID,
 * secret and API client) and sessions registered on Fastify (registerSessions).
 */
@Module({
  providers: [
    {
      provide: OAUTH_OPTIONS,
      inject: [OAUTH_MODULE_OPTIONS],
      useFactory: (options: OAuthModuleOptions) => resolveOAuthOptions(options),
    },
    OAuthService,
    WechatAuthGuard,
  ],
  exports: [OAUTH_OPTIONS, OAuthService, WechatAuthGuard],
})
export class OAuthModule extends OAuthConfigurableModule {
  static override forRoot(options: typeof OAUTH_OPTIONS_TYPE): DynamicModule {
    return withControllers(super.forRoot(options), options.routes, [OAuthController]);
  }

  static override forRootAsync(options: typeof OAUTH_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withControllers(super.forRootAsync(options), options.routes, [OAuthController]);
  }
}
