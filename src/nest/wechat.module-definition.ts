import { ConfigurableModuleBuilder } from '@nestjs/common';
import { normalizePrefix } from './http/with-controllers.js';
import { DEFAULT_JSSDK_MOUNT, JSSDK_ROUTES_MOUNT, JssdkRoutes } from './jssdk/jssdk.routes.js';
import type { WechatModuleOptions } from './wechat.options.js';

export interface WechatModuleExtras {
  /** register the built-in JS-SDK routes (default true) */
  routes: boolean;
  /** mount them under this path instead of wechat/jssdk */
  routePrefix?: string;
  /** make the services injectable everywhere without importing the module (default true) */
  isGlobal: boolean;
}

export const {
  ConfigurableModuleClass: WechatConfigurableModule,
  MODULE_OPTIONS_TOKEN: WECHAT_MODULE_OPTIONS,
  OPTIONS_TYPE: WECHAT_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: WECHAT_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WechatModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createWechatOptions')
  .setExtras<WechatModuleExtras>({ routes: true, routePrefix: undefined, isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: [
      ...(definition.providers ?? []),
      ...(extras.routes === false
        ? []
        : [
            JssdkRoutes,
            {
              provide: JSSDK_ROUTES_MOUNT,
              useValue: extras.routePrefix === undefined ? DEFAULT_JSSDK_MOUNT : `/${normalizePrefix(extras.routePrefix)}`,
            },
          ]),
    ],
  }))
  .build();
