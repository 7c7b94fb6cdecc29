import type { WechatSession } from './wechat-session.js';

// The session each request opened, so a decorator can read it without loading it again.
const opened = new WeakMap<object, WechatSession>();

export function rememberOpened(request: object, session: WechatSession): void {
  opened.set(request, session);
}

/** The session a guard or route already opened for this request; never loads one. */
export function openedSession(request: object): WechatSession | undefined {
  return opened.get(request);
}
