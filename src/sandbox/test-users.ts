import { createHash } from 'node:crypto';
import { SANDBOX_DEFAULT_ACCOUNT } from './default-account.js';

/** A simulated WeChat user who can authorize pages through the sandbox's OAuth. */
export interface SandboxUser {
  /** Short name used by `sandbox_user=`, the consent page and Sandbox.authorize(). */
  key: string;
  /** Openid under the sandbox's first account; other apps see other ids (see sandboxOpenid). */
  openid: string;
  /** Same for every app, like an open-platform unionid; returned only with snsapi_userinfo. */
  unionid?: string;
  nickname: string;
  headimgurl: string;
  /** Snapshot-page (快照页) virtual user: the code exchange carries is_snapshotuser: 1. */
  snapshot?: boolean;
  /** sns/userinfo writes control characters of the nickname raw, as WeChat has done. */
  rawControlChar?: boolean;
}

/** Configuration form: the openid is always derived per app, so any value given is ignored. */
export type SandboxUserConfig = Omit<SandboxUser, 'openid'> & { openid?: string };

const KEY_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const avatar = (key: string) => `https://thirdwx.qlogo.cn/mmopen/sandbox/${key}/132`;

/** Stand-in for WeChat's default grey avatar (virtual and anonymous profiles). */
export const SANDBOX_DEFAULT_AVATAR = avatar('default-grey');

/** Stable per-app openid: 'o' + 27 base64url chars, like the 28-char ids WeChat issues. */
export function sandboxOpenid(appId: string, userKey: string): string {
  return 'o' + createHash('sha256').update(`${appId}\0${userKey}`).digest('base64url').slice(0, 27);
}

const DEFAULT_USER_CONFIG: readonly SandboxUserConfig[] = [
  { key: 'alice', nickname: 'Alice 小明', unionid: 'oSbxUnion_alice_0123456789ab', headimgurl: avatar('alice') },
  { key: 'html', nickname: '<img src=x onerror=alert(1)> & "Bob" 🐼', headimgurl: avatar('html') },
  { key: 'snapshot', nickname: '微信用户', headimgurl: SANDBOX_DEFAULT_AVATAR, snapshot: true },
  { key: 'ctrl', nickname: 'Ctrl\u0001User', headimgurl: avatar('ctrl'), rawControlChar: true },
];

/** Validates configured users and fills in their openid under `primaryAppId`. The first user is the default. */
export function resolveSandboxUsers(users: readonly SandboxUserConfig[], primaryAppId: string): SandboxUser[] {
  if (users.length === 0) throw new Error('sandbox: users must not be empty');
  const seen = new Set<string>();
  return users.map((u) => {
    if (typeof u.key !== 'string' || !KEY_PATTERN.test(u.key)) {
      throw new Error('sandbox: every user key must match [A-Za-z0-9_-]{1,32}');
    }
    if (seen.has(u.key)) throw new Error(`sandbox: duplicate user key ${u.key}`);
    seen.add(u.key);
    if (typeof u.nickname !== 'string' || typeof u.headimgurl !== 'string') {
      throw new Error(`sandbox: user ${u.key} needs a nickname and a headimgurl`);
    }
    if (u.unionid !== undefined && (typeof u.unionid !== 'string' || u.unionid === '')) {
      throw new Error(`sandbox: user ${u.key} has an empty unionid`);
    }
    return {
      key: u.key,
      openid: sandboxOpenid(primaryAppId, u.key),
      ...(u.unionid !== undefined && { unionid: u.unionid }),
      nickname: u.nickname,
      headimgurl: u.headimgurl,
      ...(u.snapshot && { snapshot: true }),
      ...(u.rawControlChar && { rawControlChar: true }),
    };
  });
}

/** The default test users, openids shown for SANDBOX_DEFAULT_ACCOUNT. */
export const SANDBOX_USERS: readonly Readonly<SandboxUser>[] = Object.freeze(
  resolveSandboxUsers(DEFAULT_USER_CONFIG, SANDBOX_DEFAULT_ACCOUNT.appId).map((u) => Object.freeze(u)),
);
