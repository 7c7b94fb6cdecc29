import { type DynamicModule, Module } from '@nestjs/common';
import { withControllers } from '../common/with-controllers.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat/wechat.options.js';
import { LocalDiskMediaStorage } from './local-disk-media.storage.js';
import { MediaController } from './media.controller.js';
import { MediaDownloader } from './media-downloader.js';
import { MEDIA_STORAGE } from './media-storage.js';
import {
  MEDIA_ASYNC_OPTIONS_TYPE,
  MEDIA_MODULE_OPTIONS,
  MEDIA_OPTIONS_TYPE,
  MediaConfigurableModule,
} from './media.module-definition.js';
import { MEDIA_OPTIONS, type MediaModuleOptions, resolveMediaOptions, type ResolvedMediaOptions } from './media.options.js';
import { MediaService } from './media.service.js';
import { S3MediaStorage } from './s3-media.storage.js';

/**
 * Media persistence: WeChat's temporary media (JS-SDK uploads) downloaded once and kept in a
 * MediaStorage (local disk unless the host passes its own). Needs WechatModule (global) for the
 * API client, tokens and Redis, and OAuthModule (global) for the guard of its routes.
 */
@Module({
  providers: [
    {
      provide: MEDIA_OPTIONS,
      inject: [MEDIA_MODULE_OPTIONS, WECHAT_OPTIONS],
      useFactory: (options: MediaModuleOptions, wechat: ResolvedWechatOptions) =>
        resolveMediaOptions(options, wechat.keyPrefix, wechat.appId, wechat.rateLimitPerMinute),
    },
    {
      provide: MEDIA_STORAGE,
      inject: [MEDIA_OPTIONS],
      useFactory: async (options: ResolvedMediaOptions) =>
        options.storage ?? (options.s3 ? await S3MediaStorage.create(options.s3) : new LocalDiskMediaStorage(options.dir)),
    },
    MediaDownloader,
    MediaService,
  ],
  exports: [MEDIA_OPTIONS, MEDIA_STORAGE, MediaService],
})
export class MediaModule extends MediaConfigurableModule {
  static override forRoot(options: typeof MEDIA_OPTIONS_TYPE): DynamicModule {
    return withControllers(super.forRoot(options), options, [MediaController]);
  }

  static override forRootAsync(options: typeof MEDIA_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withControllers(super.forRootAsync(options), options, [MediaController]);
  }
}
