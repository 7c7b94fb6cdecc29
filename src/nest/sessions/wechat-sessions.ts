import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { isModuleNotFound, missingPeerError } from '../../core/load-peer.js';
import { OAUTH_OPTIONS, type ResolvedOAuthOptions } from '../oauth/oauth.options.js';
import { WECHAT_STORE, type WechatStore } from '../../core/wechat-store.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat.options.js';
import type { SessionSettings } from './fastify-sessions.js';
import { StoreSessionStore } from './session-stores.js';
import type { SessionOpener, WechatSession } from './wechat-session.js';

/**
 * The sessions of the OAuth login, on the application's HTTP platform, stored in the shared
 * store's topology under `{keyPrefix}sess:`. Nothing runs per request until a route opens one.
 */
@Injectable()
export class WechatSessions implements OnModuleInit {
  private platform?: SessionOpener;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(OAUTH_OPTIONS) private readonly options: ResolvedOAuthOptions,
    @Inject(WECHAT_OPTIONS) private readonly wechat: ResolvedWechatOptions,
    @Inject(WECHAT_STORE) private readonly store: WechatStore,
  ) {}

  async onModuleInit(): Promise<void> {
    const adapter = this.adapterHost.httpAdapter;
    // an application context without HTTP (a worker, a CLI) has no sessions
    if (!adapter) return;
    const type = adapter.getType();
    if (type !== 'fastify' && type !== 'express') {
      throw new Error(
        `OAuthModule: sessions need @nestjs/platform-fastify or @nestjs/platform-express (this application runs on ${type})`,
      );
    }
    const settings: SessionSettings = {
      ...this.options.session,
      store: new StoreSessionStore(this.store, `${this.wechat.keyPrefix}sess:`),
    };
    // each platform's session code (and its packages) is loaded only on that platform
    if (type === 'fastify') {
      const { FastifySessions } = await import('./fastify-sessions.js').catch((error: unknown) => {
        throw isModuleNotFound(error)
          ? missingPeerError(['@fastify/session', '@fastify/cookie'], 'login on @nestjs/platform-fastify')
          : error;
      });
      const sessions = new FastifySessions(settings);
      sessions.register(adapter.getInstance<FastifyInstance>());
      this.platform = sessions;
    } else {
      const { ExpressSessions } = await import('./express-sessions.js');
      this.platform = await ExpressSessions.create(settings);
    }
  }

  /** The request's session, loaded on first use (503 SESSION_STORE_UNAVAILABLE when the store fails). */
  open(request: object, response: object): Promise<WechatSession> {
    return this.opener().open(request, response);
  }

  private opener(): SessionOpener {
    if (!this.platform) throw new Error('WeChat sessions are not available: the application has no HTTP server');
    return this.platform;
  }
}
