import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { AppConfig } from './config/app-config.js';
import { mediaModuleOptions } from './config/media-settings.js';
import { APP_CONFIG, validateEnv } from './config/validate-env.js';
import { HealthController } from './health.controller.js';
import { SANDBOX_FLAG } from './ops.constants.js';
import { DemoController } from './demo/demo.controller.js';
import { MediaModule } from '../nest/media/media.module.js';
import { OAuthModule } from '../nest/oauth/oauth.module.js';
import { MetricsModule } from '../nest/metrics/metrics.module.js';
import { WechatModule } from '../nest/wechat.module.js';
import { CredentialApiModule } from '../nest/credential-api/credential-api.module.js';
import { PayModule } from '../nest/pay/pay.module.js';
import type { PayModuleOptions } from '../nest/pay/pay.options.js';
import { Sandbox } from '../sandbox/index.js';
import { MessagesModule } from '../nest/messages/messages.module.js';
import { messagesModuleOptions } from './messages/messages-options.js';

export type EnvOverrides = Record<string, string | undefined>;

/** The runnable service: validated config composed into the importable modules. */
@Module({})
export class AppModule {
  /**
   * Validates `env` through @nestjs/config (throws ConfigurationError with one line per problem).
   * The caller says where the environment comes from: main.ts passes process.env (with `.env`).
   */
  static async build(env: EnvOverrides): Promise<{ module: DynamicModule; config: AppConfig; sandbox?: Sandbox }> {
    let app: AppConfig | undefined;
    const configModule = await ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validate: () => {
        app = validateEnv(env).app;
        return env;
      },
    });
    const config = app!;
    // the simulator exists before the modules: in sandbox mode pay runs with its test merchant's keys
    const sandbox = config.sandbox
      ? new Sandbox({
          accounts: [
            {
              appId: config.appId,
              appSecret: config.appSecret,
              jsDomains: config.jsDomains,
              messageToken: config.messageToken,
              messageAesKey: config.messageAesKey,
            },
            ...config.accounts,
          ],
        })
      : undefined;
    const pay = payOptions(config, sandbox);
    const module: DynamicModule = {
      module: AppModule,
      imports: [
        configModule,
        WechatModule.forRoot({
          appId: config.appId,
          appSecret: config.appSecret,
          messageToken: config.messageToken,
          messageAesKey: config.messageAesKey,
          accounts: config.accounts,
          apiBaseUrl: config.apiBaseUrl,
          tokenMode: config.tokenMode,
          jsDomains: config.jsDomains,
          httpTimeoutMs: config.httpTimeoutMs,
          redisUrl: config.redisUrl,
          redisClusterNodes: config.redisClusterNodes,
          redisSentinel: config.redisSentinel,
          keyPrefix: config.keyPrefix,
          redisCommandTimeoutMs: config.redisCommandTimeoutMs,
          rateLimitPerMinute: config.rateLimitPerMinute,
          credentialSource: config.credentialSource,
          httpProxy: config.httpProxy,
        }),
        OAuthModule.forRoot({
          publicBaseUrl: config.publicBaseUrl,
          openBaseUrl: config.openBaseUrl,
          scope: config.oauthScope,
          handoffTtlMs: config.handoffTtlMs,
          ...(config.website ? { website: config.website } : {}),
          session: { secret: config.sessionSecret },
        }),
        MediaModule.forRoot(mediaModuleOptions(config)),
        MetricsModule.forRoot({ routes: config.metricsRoute, ...(config.metricsToken && { token: config.metricsToken }) }),
        ...(config.credentialApiConsumers.length
          ? [
              CredentialApiModule.forRoot({
                consumers: config.credentialApiConsumers,
                reportMaxPerHour: config.credentialReportMaxPerHour,
              }),
            ]
          : []),
        ...(pay ? [PayModule.forRoot(pay)] : []),
        ...(config.messages ? [MessagesModule.forRoot(messagesModuleOptions(config.messages))] : []),
      ],
      controllers: config.sandbox ? [HealthController, DemoController] : [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: SANDBOX_FLAG, useValue: config.sandbox },
      ],
      exports: [APP_CONFIG],
    };
    return { module, config, sandbox };
  }
}

/** PayModule's options: the merchant of the environment, or the sandbox's test merchant. */
function payOptions(config: AppConfig, sandbox: Sandbox | undefined): PayModuleOptions | undefined {
  const pay = config.pay;
  if (!pay) return undefined;
  if (pay.source === 'env') return pay.options;
  if (!sandbox) return undefined;
  const m = sandbox.pay.merchant;
  return {
    mchId: m.mchId,
    privateKey: m.privateKey,
    certSerial: m.certSerial,
    apiV3Key: m.apiV3Key,
    publicKey: m.publicKey,
    publicKeyId: m.publicKeyId,
    notifyUrl: pay.notifyUrl,
    databaseUrl: pay.databaseUrl,
    ledgerDir: pay.ledgerDir,
    ledgerSchema: pay.ledgerSchema,
    adminTokens: pay.adminTokens,
    baseUrl: config.apiBaseUrl,
  };
}
