import { ConfigurableModuleBuilder, Module } from '@nestjs/common';
import { normalizePrefix } from '../common/with-controllers.js';
import { checkConsumers, parseConsumers, type CredentialConsumer } from './consumers.js';
import {
  CREDENTIAL_API_CONSUMERS,
  CREDENTIAL_API_MOUNT,
  CredentialApiRoutes,
  DEFAULT_CREDENTIAL_API_MOUNT,
} from './credential-api.routes.js';

export interface CredentialApiModuleOptions {
  /**
   * Who may read credentials: a list of `{ name, secret }`, or the `consumer:secret,...` form of
   * CREDENTIAL_API_TOKENS. Each secret at least 32 characters; names appear in logs and metrics.
   */
  consumers: CredentialConsumer[] | string;
}

export interface CredentialApiModuleExtras {
  /** mount the routes under this path instead of wechat/credentials */
  routePrefix?: string;
}

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = new ConfigurableModuleBuilder<CredentialApiModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createCredentialApiOptions')
  .setExtras<CredentialApiModuleExtras>({ routePrefix: undefined }, (definition, extras) => ({
    ...definition,
    providers: [
      ...(definition.providers ?? []),
      {
        provide: CREDENTIAL_API_MOUNT,
        useValue: extras.routePrefix === undefined ? DEFAULT_CREDENTIAL_API_MOUNT : `/${normalizePrefix(extras.routePrefix)}`,
      },
    ],
  }))
  .build();

function resolveConsumers(options: CredentialApiModuleOptions): CredentialConsumer[] {
  if (typeof options.consumers !== 'string') return checkConsumers(options.consumers ?? []);
  const { consumers, problems } = parseConsumers(options.consumers);
  if (problems.length) throw new Error(`CredentialApiModule: consumers: ${problems[0]}`);
  return consumers;
}

/**
 * The central credential server (中控): other services of the same Official Accounts read the
 * access_token and tickets from this service instead of calling WeChat themselves
 * (`GET /wechat/credentials/:appId/:kind`, `POST /wechat/credentials/:appId/access_token/invalid`,
 * bearer per consumer). Needs WechatModule (its accounts, cache and rate limit).
 */
@Module({
  providers: [
    CredentialApiRoutes,
    {
      provide: CREDENTIAL_API_CONSUMERS,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: CredentialApiModuleOptions) => {
        const consumers = resolveConsumers(options);
        if (consumers.length === 0) throw new Error('CredentialApiModule: consumers lists no consumer');
        return consumers;
      },
    },
  ],
  exports: [CredentialApiRoutes],
})
export class CredentialApiModule extends ConfigurableModuleClass {}
