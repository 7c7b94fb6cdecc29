import { Problem } from '../problem.js';
import type { StoreHit, WechatStore } from '../wechat-store.js';

const WINDOW_MS = 60_000;

/**
 * Counts one rendition that needs ffmpeg against the user's budget of `perMinute` a minute
 * (fixed window in the shared store, so it holds across instances); past it 429 `RATE_LIMITED`
 * with the seconds left in the window. 0 turns it off; a store that fails lets renditions through.
 */
export async function spendRenditionBudget(store: WechatStore, key: string, perMinute: number): Promise<void> {
  if (perMinute <= 0) return;
  let hit: StoreHit;
  try {
    hit = await store.hit(key, WINDOW_MS);
  } catch {
    return;
  }
  if (hit.count <= perMinute) return;
  const retryAfter = Math.max(1, Math.ceil(hit.resetMs / 1000));
  throw new Problem(429, 'RATE_LIMITED', `too many new mp3 renditions for this user; try again in ${retryAfter} s`, {
    retryAfter,
  });
}
