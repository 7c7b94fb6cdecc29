import { createHash } from 'node:crypto';
import { accountKey } from '../account-keys.js';
import type { WechatStore } from '../wechat-store.js';
import type { MessageReply } from './passive-reply.js';

/** What the first handling of a message answered: a reply, nothing, or "the reply goes later as a customer-service message". */
export interface FirstAnswer {
  reply?: MessageReply;
  deferred?: true;
}

/** WeChat repeats an unanswered message twice, 5 s apart: a minute covers every repeat with room to spare. */
export const REPEAT_WINDOW_MS = 60_000;
/** How often a repeat looks for the first one's answer while that one still runs. */
const POLL_MS = 25;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Once-only handling of a message across every instance: the first to claim its key in the shared
 * store handles it and records its answer there; a repeat waits for that answer within its deadline.
 */
export class MessageOnce {
  constructor(
    private readonly store: WechatStore,
    private readonly keyPrefix: string,
  ) {}

  /** true for the first arrival of `key` within the window, false for a repeat. */
  async claim(appId: string, key: string): Promise<boolean> {
    const lock = await this.store.lock(this.key(appId, 'claim', key), REPEAT_WINDOW_MS);
    // the claim is never released: it stands for the whole window, so later repeats stay repeats
    return lock !== null;
  }

  record(appId: string, key: string, answer: FirstAnswer): Promise<void> {
    return this.store.set(this.key(appId, 'answer', key), answer, REPEAT_WINDOW_MS);
  }

  /** The first handling's answer once recorded, or undefined when `waitMs` pass first. */
  async waitForFirst(appId: string, key: string, waitMs: number): Promise<FirstAnswer | undefined> {
    const answerKey = this.key(appId, 'answer', key);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const answer = await this.store.get(answerKey);
      if (isFirstAnswer(answer)) return answer;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await delay(Math.min(POLL_MS, left));
    }
  }

  // a message key holds user data (an openid): hashed, it is short, fixed and says nothing
  private key(appId: string, kind: 'claim' | 'answer', key: string): string {
    return accountKey(this.keyPrefix, appId, `msg-${kind}:${createHash('sha256').update(key).digest('base64url')}`);
  }
}

function isFirstAnswer(value: unknown): value is FirstAnswer {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
