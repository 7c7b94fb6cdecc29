import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MediaModuleOptions } from './media.options.js';

export interface MediaModuleExtras {
  /** register the built-in media routes (default true) */
  routes: boolean;
  /** mount them under this path instead of wechat/media */
  routePrefix?: string;
  /** make MediaService and MEDIA_STORAGE injectable everywhere (default true) */
  isGlobal: boolean;
}

export const {
  ConfigurableModuleClass: MediaConfigurableModule,
  MODULE_OPTIONS_TOKEN: MEDIA_MODULE_OPTIONS,
  OPTIONS_TYPE: MEDIA_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: MEDIA_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MediaModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createMediaOptions')
  .setExtras<MediaModuleExtras>({ routes: true, routePrefix: undefined, isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
