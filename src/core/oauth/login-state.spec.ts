import { addPending, DOUBLE_CALLBACK_WINDOW_MS, markCompleted, recentCompletion, takePending } from './login-state.js';

const TTL = 600_000;
const entry = (state: string, createdAt: number) => ({ state, returnTo: '/x', scope: 'snsapi_base' as const, createdAt });

describe('login state', () => {
  it('takes a pending state once', () => {
    const data = addPending(undefined, entry('s1', 0), TTL);
    const first = takePending(data, 's1', 1000, TTL);
    expect(first.ok).toBe(true);
    expect(takePending(first.rest, 's1', 1000, TTL)).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('refuses missing, unknown and expired states', () => {
    const data = addPending(undefined, entry('s1', 0), TTL);
    expect(takePending(data, undefined, 0, TTL)).toMatchObject({ ok: false, reason: 'missing' });
    expect(takePending(data, '', 0, TTL)).toMatchObject({ ok: false, reason: 'missing' });
    expect(takePending(data, 's2', 0, TTL)).toMatchObject({ ok: false, reason: 'unknown' });
    const expired = takePending(data, 's1', TTL, TTL);
    expect(expired).toMatchObject({ ok: false, reason: 'expired' });
    expect(expired.rest.pending).toEqual([]);
  });

  it('keeps a few logins in progress (several tabs) and drops expired ones', () => {
    let data = addPending(undefined, entry('old', 0), TTL);
    for (let i = 0; i < 7; i++) data = addPending(data, entry(`s${i}`, TTL + i), TTL);
    expect(data.pending.map((p) => p.state)).toEqual(['s2', 's3', 's4', 's5', 's6']);
  });

  it('remembers a completed state for the doubled-callback window only', () => {
    const data = markCompleted({ pending: [], completed: [] }, entry('s1', 0), 1000);
    expect(recentCompletion(data, 's1', 1000 + DOUBLE_CALLBACK_WINDOW_MS - 1)?.returnTo).toBe('/x');
    expect(recentCompletion(data, 's1', 1000 + DOUBLE_CALLBACK_WINDOW_MS)).toBeUndefined();
    expect(recentCompletion(data, 's2', 1000)).toBeUndefined();
  });
});
