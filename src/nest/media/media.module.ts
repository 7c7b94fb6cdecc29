import { type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { MediaDownloader } from '../../core/media/media-downloader.js';
import { MEDIA_STORAGE, type MediaStorage } from '../../core/media/media-storage.js';
import { MediaService } from '../../core/media/media.service.js';
import { WECHAT_STORE, type WechatStore } from '../../core/wechat-store.js';
import { LocalDiskMediaStorage } from '../../storage/local-disk-media.storage.js';
import { S3MediaStorage } from '../../storage/s3-media.storage.js';
import { WechatApiClient } from '../../transport/wechat-api.client.js';
import { withControllers } from '../http/with-controllers.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat.options.js';
import { MediaController } from './media.controller.js';
import {
  MEDIA_ASYNC_OPTIONS_TYPE,
  MEDIA_MODULE_OPTIONS,
  MEDIA_OPTIONS_TYPE,
  MediaConfigurableModule,
} from './media.module-definition.js';
import { MEDIA_OPTIONS, type MediaModuleOptions, resolveMediaOptions, type ResolvedMediaOptions } from './media.options.js';

/**
 * Media persistence: WeChat's temporary media (JS-SDK uploads) downloaded once and kept in a
 * MediaStorage (local disk unless the host passes its own), reached through
 * `accounts.get(appId).media`. Needs WechatModule (global) for the transport, tokens and store, and
 * OAuthModule (global) for the guard of its routes.
 */
@Module({
  providers: [
    {
      provide: MEDIA_OPTIONS,
      inject: [MEDIA_MODULE_OPTIONS, WECHAT_OPTIONS],
      useFactory: (options: MediaModuleOptions | undefined, wechat: ResolvedWechatOptions) =>
        resolveMediaOptions(options ?? {}, wechat.keyPrefix, wechat.appId, wechat.rateLimitPerMinute),
    },
    {
      provide: MEDIA_STORAGE,
      inject: [MEDIA_OPTIONS],
      useFactory: async (options: ResolvedMediaOptions) =>
        options.storage ?? (options.s3 ? await S3MediaStorage.create(options.s3) : new LocalDiskMediaStorage(options.dir)),
    },
    {
      provide: MediaService,
      inject: [MEDIA_STORAGE, WECHAT_STORE, MEDIA_OPTIONS, WechatAccounts, WechatApiClient],
      useFactory: (
        storage: MediaStorage,
        store: WechatStore,
        options: ResolvedMediaOptions,
        accounts: WechatAccounts,
        transport: WechatApiClient,
      ) => {
        const logger = new Logger('MediaService');
        const downloader = new MediaDownloader(transport, accounts, storage, options, logger);
        const media = new MediaService(storage, downloader, store, options, accounts, logger);
        accounts.useMedia(media);
        return media;
      },
    },
  ],
  exports: [MEDIA_OPTIONS, MEDIA_STORAGE, MediaService],
})
export class MediaModule extends MediaConfigurableModule implements OnApplicationBootstrap {
  constructor(@Inject(MediaService) private readonly media: MediaService) {
    super();
  }

  /** Says at start-up whether `?format=mp3` can work here. */
  async onApplicationBootstrap(): Promise<void> {
    const { level, message } = await this.media.transcodingStatus();
    new Logger('MediaService')[level](message);
  }

  static override forRoot(options: typeof MEDIA_OPTIONS_TYPE = {}): DynamicModule {
    return withControllers(super.forRoot(options), options, [MediaController]);
  }

  static override forRootAsync(options: typeof MEDIA_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withControllers(super.forRootAsync(options), options, [MediaController]);
  }
}
