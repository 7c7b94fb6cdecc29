import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  defaultUserMapper,
  type SessionUser,
  WECHAT_USER_MAPPER,
  type WechatProfile,
  type WechatUserMapper,
} from '../../core/oauth/session-user.js';
import { OAUTH_OPTIONS, type ResolvedOAuthOptions } from './oauth.options.js';

/** Turns a WeChat profile into the session user: the host's `mapUser`, else its injected mapper, else the default. */
@Injectable()
export class UserMapping {
  constructor(
    @Inject(OAUTH_OPTIONS) private readonly options: ResolvedOAuthOptions,
    @Optional() @Inject(WECHAT_USER_MAPPER) private readonly injectedMapper?: WechatUserMapper,
  ) {}

  /** The session user of a profile; it always carries the profile's appId, whatever the mapper returns. */
  async map(profile: WechatProfile): Promise<SessionUser> {
    const user = this.options.mapUser
      ? await this.options.mapUser(profile)
      : this.injectedMapper
        ? await this.injectedMapper.map(profile)
        : defaultUserMapper(profile);
    return { ...user, appId: profile.appId };
  }
}
