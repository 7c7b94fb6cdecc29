import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { OAuthModule, WechatModule } from 'nest-wechat-h5';
import { OrdersController } from './orders.controller.js';
import { ShareController } from './share.controller.js';

/**
 * The README's AppModule with `routes: false` on both modules: a host that serves only its own
 * routes, which must keep working (the guard, WechatAccounts) without /wechat/jssdk or /wechat/oauth.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    WechatModule.forRootAsync({
      routes: false,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        appId: config.getOrThrow<string>('WECHAT_APP_ID'),
        appSecret: config.getOrThrow<string>('WECHAT_APP_SECRET'),
        apiBaseUrl: config.get<string>('WECHAT_API_BASE_URL'),
        redisUrl: config.get<string>('REDIS_URL'),
        keyPrefix: config.get<string>('CACHE_KEY_PREFIX', 'wechat:'),
        jsDomains: config.get<string>('WECHAT_JS_DOMAINS', '').split(','),
      }),
    }),
    OAuthModule.forRootAsync({
      routes: false,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        publicBaseUrl: config.getOrThrow<string>('PUBLIC_BASE_URL'),
        openBaseUrl: config.get<string>('WECHAT_OPEN_BASE_URL'),
        session: { secret: config.getOrThrow<string>('SESSION_SECRET') },
      }),
    }),
  ],
  controllers: [OrdersController, ShareController],
})
export class AppWithoutBuiltinRoutesModule {}
