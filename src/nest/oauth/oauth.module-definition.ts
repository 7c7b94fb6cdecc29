import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { OAuthModuleOptions } from './oauth.options.js';

export interface OAuthModuleExtras {
  /** register the built-in OAuth routes (default true) */
  routes: boolean;
  /** mount them under this path instead of wechat/oauth (login, callback, me, logout) */
  routePrefix?: string;
  /** make the guard and service injectable everywhere (default true) */
  isGlobal: boolean;
}

export const {
  ConfigurableModuleClass: OAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: OAUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: OAUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: OAUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<OAuthModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createOAuthOptions')
  .setExtras<OAuthModuleExtras>({ routes: true, routePrefix: undefined, isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
