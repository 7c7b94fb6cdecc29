import { CACHE_MANAGER, CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import KeyvRedis from '@keyv/redis';
import type { Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { WechatModule } from 'nest-wechat-h5';
import { ShareController } from './share.controller.js';

/**
 * A host whose cache is @keyv/redis given a url: Keyv opens its client only on the first command.
 * It hands the module the cache alone; the module finds the client behind it, not connected yet.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    CacheModule.registerAsync({
      isGlobal: true,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        stores: [new Keyv({ store: new KeyvRedis(config.getOrThrow<string>('REDIS_URL')) })],
      }),
    }),
    WechatModule.forRootAsync({
      inject: [ConfigService, CACHE_MANAGER],
      useFactory: (config: ConfigService, cache: Cache) => ({
        appId: config.getOrThrow<string>('WECHAT_APP_ID'),
        appSecret: config.getOrThrow<string>('WECHAT_APP_SECRET'),
        apiBaseUrl: config.get<string>('WECHAT_API_BASE_URL'),
        keyPrefix: config.get<string>('CACHE_KEY_PREFIX', 'wechat:'),
        cache,
      }),
    }),
  ],
  controllers: [ShareController],
})
export class AppWithLazyKeyvModule {}
