import type { LoginScope } from './session-user.js';

export interface PendingLogin {
  state: string;
  /** the account to log in through; absent: the default account */
  appId?: string;
  returnTo: string;
  scope: LoginScope;
  createdAt: number;
  /** a phone's login for a computer: the handoff ticket the user is bound to, instead of logging the phone in */
  handoff?: string;
  /** a website application's QR login (its code is exchanged with the website application's credentials) */
  website?: true;
}

export interface CompletedLogin {
  state: string;
  returnTo: string;
  completedAt: number;
  /** a phone's login for a computer (the phone itself is not logged in) */
  handoff?: true;
}

/** What the session keeps about logins in progress (a few tabs at once) and just finished. */
export interface LoginStateData {
  pending: PendingLogin[];
  completed: CompletedLogin[];
}

const MAX_PENDING = 5;
/** A doubled callback (WeChat's webview loads it twice) within this window lands on returnTo. */
export const DOUBLE_CALLBACK_WINDOW_MS = 60_000;

export const emptyLoginState = (): LoginStateData => ({ pending: [], completed: [] });

export function addPending(data: LoginStateData | undefined, entry: PendingLogin, ttlMs: number): LoginStateData {
  const live = (data?.pending ?? []).filter((p) => entry.createdAt - p.createdAt < ttlMs);
  return { pending: [...live, entry].slice(-MAX_PENDING), completed: data?.completed ?? [] };
}

export type TakeResult =
  | { ok: true; entry: PendingLogin; rest: LoginStateData }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired'; rest: LoginStateData };

/** Removes `state` from the pending logins (single use) and says whether it was valid. */
export function takePending(data: LoginStateData | undefined, state: unknown, now: number, ttlMs: number): TakeResult {
  const current = data ?? emptyLoginState();
  if (typeof state !== 'string' || state.length === 0) return { ok: false, reason: 'missing', rest: current };
  const entry = current.pending.find((p) => p.state === state);
  const rest = { ...current, pending: current.pending.filter((p) => p.state !== state) };
  if (!entry) return { ok: false, reason: 'unknown', rest: current };
  if (now - entry.createdAt >= ttlMs) return { ok: false, reason: 'expired', rest };
  return { ok: true, entry, rest };
}

export function recentCompletion(data: LoginStateData | undefined, state: unknown, now: number): CompletedLogin | undefined {
  if (typeof state !== 'string') return undefined;
  return data?.completed.find((c) => c.state === state && now - c.completedAt < DOUBLE_CALLBACK_WINDOW_MS);
}

export function markCompleted(data: LoginStateData, entry: PendingLogin, now: number): LoginStateData {
  const recent = data.completed.filter((c) => now - c.completedAt < DOUBLE_CALLBACK_WINDOW_MS);
  return {
    pending: data.pending,
    completed: [
      ...recent,
      { state: entry.state, returnTo: entry.returnTo, completedAt: now, ...(entry.handoff ? { handoff: true as const } : {}) },
    ],
  };
}
