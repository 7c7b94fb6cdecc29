import { createNonce } from '../../core/jssdk/nonce.js';
import { addPending, type PendingLogin } from '../../core/oauth/login-state.js';
import type { WechatSession } from '../sessions/wechat-session.js';

/**
 * Starts a login in the browser's session: a fresh state (32 characters of [A-Za-z0-9] from the
 * CSPRNG) kept there for one callback; answers the state to put into WeChat's link.
 */
export async function startLogin(
  session: WechatSession,
  login: Omit<PendingLogin, 'state' | 'createdAt'>,
  stateTtlMs: number,
): Promise<string> {
  const state = createNonce(32);
  session.set('wechatLogin', addPending(session.get('wechatLogin'), { ...login, state, createdAt: Date.now() }, stateTtlMs));
  // a session made for a login that may never finish lives only as long as its state
  if (!session.get('user')) session.setMaxAge(stateTtlMs);
  // written before WeChat is involved: a state that was not kept could never be checked
  await session.save();
  return state;
}
