export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo';
/** The scope a login was made with: an Official Account's, or a website application's QR login (`snsapi_login`). */
export type LoginScope = OAuthScope | 'snsapi_login';

/** What WeChat told us about the person who logged in; handed to the user mapper. */
export interface WechatProfile {
  /** the Official Account (or, with snsapi_login, the website application) the user logged in through */
  appId: string;
  openid: string;
  unionid?: string;
  scope: LoginScope;
  /** true for a snapshot-page (快照页) virtual user: its ids and profile are not the real person's */
  isSnapshotUser: boolean;
  /** only with snsapi_userinfo */
  nickname?: string;
  avatarUrl?: string;
  /** sns/userinfo's answer as WeChat sent it (snsapi_userinfo only) */
  raw?: Record<string, unknown>;
}

/** The user kept in the session and returned by `/wechat/oauth/me`; a mapper may add fields. */
export interface SessionUser {
  /**
   * the Official Account the user logged in through (openids are per account). Every login sets
   * it, whatever the mapper returns; optional only so that mappers written for one account compile.
   */
  appId?: string;
  openid: string;
  unionid?: string;
  nickname?: string;
  avatarUrl?: string;
  scope: LoginScope;
  /** ISO 8601 time of the login */
  loggedInAt: string;
  isSnapshotUser?: boolean;
  [extra: string]: unknown;
}

/**
 * Turns a WeChat profile into the session user: the hook where a host upserts its own account
 * and puts its own `id` on the session user. Must return at least the default fields it wants shown.
 */
export type UserMapper = (profile: WechatProfile) => SessionUser | Promise<SessionUser>;

export const WECHAT_USER_MAPPER = Symbol('WECHAT_USER_MAPPER');

/** Injectable form of the mapper, for hosts that need their own services inside it. */
export interface WechatUserMapper {
  map(profile: WechatProfile): SessionUser | Promise<SessionUser>;
}

export const defaultUserMapper: UserMapper = (p) => ({
  appId: p.appId,
  openid: p.openid,
  ...(p.unionid ? { unionid: p.unionid } : {}),
  ...(p.nickname !== undefined ? { nickname: p.nickname } : {}),
  ...(p.avatarUrl ? { avatarUrl: p.avatarUrl } : {}),
  scope: p.scope,
  loggedInAt: new Date().toISOString(),
  ...(p.isSnapshotUser ? { isSnapshotUser: true } : {}),
});
