import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PayModuleOptions } from './pay.options.js';

export interface PayModuleExtras {
  /** register the built-in pay routes and the notify route (default true) */
  routes: boolean;
  /** mount them under this path instead of wechat/pay */
  routePrefix?: string;
  /** make PayService injectable everywhere (default true) */
  isGlobal: boolean;
}

export const {
  ConfigurableModuleClass: PayConfigurableModule,
  MODULE_OPTIONS_TOKEN: PAY_MODULE_OPTIONS,
  OPTIONS_TYPE: PAY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: PAY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PayModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPayOptions')
  .setExtras<PayModuleExtras>({ routes: true, routePrefix: undefined, isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
