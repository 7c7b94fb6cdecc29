import { HttpProblem, storeTrouble } from '../http/http-problem.js';
import type { LoginStateData } from '../../core/oauth/login-state.js';
import type { WebGrant } from '../../core/oauth/account-oauth.js';
import type { SessionUser } from '../../core/oauth/session-user.js';

export interface HandoffBinding {
  ticket: string;
  secret: string;
  expiresAt: number;
}

/** What the package keeps in a session. */
export interface WechatSessionData {
  /** the logged-in user (set by the OAuth callback) */
  user?: SessionUser;
  /** logins in progress and just completed */
  wechatLogin?: LoginStateData;
  /** WeChat's web token for this user; stays server-side */
  wechatWebGrant?: WebGrant;
  /** the computer's login handoffs in progress: the secret that binds each ticket to this browser */
  wechatHandoff?: HandoffBinding[];
}

/** Every key of WechatSessionData: what a regenerated session carries over on either platform. */
export const SESSION_KEYS = [
  'user',
  'wechatLogin',
  'wechatWebGrant',
  'wechatHandoff',
] as const satisfies readonly (keyof WechatSessionData)[];

/**
 * A server-side session, opened on demand by the routes and the guard that need it (no other
 * route loads one). Changes are written by save(), regenerate() and destroy(), each bounded
 * in time; the session cookie goes out with the reply.
 */
export interface WechatSession {
  get<K extends keyof WechatSessionData>(key: K): WechatSessionData[K] | undefined;
  set<K extends keyof WechatSessionData>(key: K, value: WechatSessionData[K] | undefined): void;
  /** The session (cookie and stored copy) lives `ms` from now. */
  setMaxAge(ms: number): void;
  save(): Promise<void>;
  /** A new session id with the same data (after login: an id planted earlier is worth nothing). */
  regenerate(): Promise<void>;
  /** Deletes the session server-side and clears the cookie. */
  destroy(): Promise<void>;
}

/** Opens the session of a request (the platform's request and reply/response objects). */
export interface SessionOpener {
  open(request: object, response: object): Promise<WechatSession>;
}

export const sessionStoreUnavailable = (cause?: unknown) =>
  new HttpProblem(503, 'SESSION_STORE_UNAVAILABLE', storeTrouble(cause, 'session store'));

/** Any failure of the session store becomes 503 SESSION_STORE_UNAVAILABLE, saying whether the store refused. */
export async function orUnavailable<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw sessionStoreUnavailable(error);
  }
}
