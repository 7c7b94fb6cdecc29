import type { LoginStateData } from '../oauth/login-state.js';
import type { WebGrant } from '../oauth/oauth.service.js';
import type { SessionUser } from '../oauth/session-user.js';

declare module 'fastify' {
  interface Session {
    /** the logged-in user (set by the OAuth callback) */
    user?: SessionUser;
    /** logins in progress and just completed */
    wechatLogin?: LoginStateData;
    /** WeChat's web token for this user; stays server-side */
    wechatWebGrant?: WebGrant;
  }
}

export {};
