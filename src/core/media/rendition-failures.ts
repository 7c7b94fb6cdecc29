import { Problem } from '../problem.js';
import type { WechatStore } from '../wechat-store.js';

/** How long a failed rendition is answered from memory instead of running ffmpeg again. */
export const FAILURE_MEMORY_MS = 24 * 3600_000;
/** Failures that the same bytes give again: too large, undecodable. Timeouts and outages are not kept. */
const LASTING = new Set(['MEDIA_TOO_LARGE', 'FORMAT_UNAVAILABLE']);

interface KeptFailure {
  statusCode: number;
  code: string;
  message: string;
  extra: Record<string, unknown>;
}

/** Keeps a lasting failure in the shared store, so every instance answers it at once; other errors are ignored. */
export async function rememberFailure(store: WechatStore, key: string, error: unknown): Promise<void> {
  if (!(error instanceof Problem) || !LASTING.has(error.code)) return;
  const kept: KeptFailure = { statusCode: error.statusCode, code: error.code, message: error.body.message, extra: error.extra };
  await store.set(key, kept, FAILURE_MEMORY_MS).catch(() => undefined);
}

/** The failure kept under `key`, as the problem to answer; undefined when none (or the store does not answer). */
export async function recallFailure(store: WechatStore, key: string): Promise<Problem | undefined> {
  const kept = (await store.get(key).catch(() => undefined)) as Partial<KeptFailure> | undefined;
  // a value read back from the store is untrusted input: only a lasting failure's shape is answered
  if (!kept || typeof kept !== 'object' || typeof kept.code !== 'string' || !LASTING.has(kept.code)) return undefined;
  if (typeof kept.statusCode !== 'number' || typeof kept.message !== 'string') return undefined;
  const extra = kept.extra && typeof kept.extra === 'object' ? kept.extra : {};
  return new Problem(kept.statusCode, kept.code, kept.message, extra);
}
