import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MessagesModuleOptions } from './messages.options.js';

export interface MessagesModuleExtras {
  /** mount GET/POST {routePrefix} and {routePrefix}/:appId (default true) */
  routes: boolean;
  /** mount them under this path instead of wechat/messages */
  routePrefix?: string;
}

export const {
  ConfigurableModuleClass: MessagesConfigurableModule,
  MODULE_OPTIONS_TOKEN: MESSAGES_MODULE_OPTIONS,
  OPTIONS_TYPE: MESSAGES_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: MESSAGES_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MessagesModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createMessagesOptions')
  .setExtras<MessagesModuleExtras>({ routes: true, routePrefix: undefined }, (definition) => definition)
  .build();
