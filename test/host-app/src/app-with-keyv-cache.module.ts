import { CACHE_MANAGER, CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import KeyvRedis from '@keyv/redis';
import type { Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { OAuthModule, WechatModule } from 'nest-wechat-h5';
import { createClient } from 'redis';
import { OrdersController } from './orders.controller.js';
import { ShareController } from './share.controller.js';

/** The host's own node-redis 5 client, shared by its cache (through Keyv) and by nest-wechat-h5. */
const HOST_REDIS = Symbol('HOST_REDIS');

@Module({
  providers: [
    {
      provide: HOST_REDIS,
      inject: [ConfigService],
      useFactory: async (config: ConfigService) => {
        const client = createClient({ url: config.getOrThrow<string>('REDIS_URL') });
        await client.connect();
        return client;
      },
    },
  ],
  exports: [HOST_REDIS],
})
class HostRedisModule {}

/**
 * A current Nest app with its own cache: `@nestjs/cache-manager` (cache-manager 7 on Keyv and
 * @keyv/redis) over its own node-redis 5 client. It hands both to the module: the values go
 * through its cache, the locks through its client.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    CacheModule.registerAsync({
      isGlobal: true,
      imports: [HostRedisModule],
      inject: [HOST_REDIS],
      useFactory: (client: ReturnType<typeof createClient>) => ({ stores: [new Keyv({ store: new KeyvRedis(client) })] }),
    }),
    WechatModule.forRootAsync({
      imports: [HostRedisModule],
      inject: [ConfigService, CACHE_MANAGER, HOST_REDIS],
      useFactory: (config: ConfigService, cache: Cache, redisClient: ReturnType<typeof createClient>) => ({
        appId: config.getOrThrow<string>('WECHAT_APP_ID'),
        appSecret: config.getOrThrow<string>('WECHAT_APP_SECRET'),
        apiBaseUrl: config.get<string>('WECHAT_API_BASE_URL'),
        keyPrefix: config.get<string>('CACHE_KEY_PREFIX', 'wechat:'),
        jsDomains: config.get<string>('WECHAT_JS_DOMAINS', '').split(','),
        cache,
        // with HOST_PASS_CLIENT=no the module finds the client behind the Keyv store by itself
        redisClient: config.get<string>('HOST_PASS_CLIENT') === 'no' ? undefined : redisClient,
      }),
    }),
    OAuthModule.forRootAsync({
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
export class AppWithKeyvCacheModule {}
