import { createStore } from '../store/create-store.js';
import { produceOnce, type ProduceOnce } from './produce-once.js';

/** The store of a single instance (no Redis URL): its locks are the ones produceOnce takes. */
const lockStore = () => createStore({ commandTimeoutMs: 1000, warn: () => undefined });

function work(overrides: Partial<ProduceOnce<string>>): ProduceOnce<string> {
  return {
    lockKey: 'k',
    lockTtlMs: 30_000,
    deadline: Date.now() + 5000,
    pollIntervalMs: 10,
    find: async () => undefined,
    produce: async () => 'mine',
    timedOut: () => new Error('timed out'),
    ...overrides,
  };
}

describe('produceOnce', () => {
  it('a waiter answers the holder’s result as soon as it appears, while the holder still holds the lock', async () => {
    const store = await lockStore();
    const held = await store.lock('k', 30_000);
    let result: string | undefined;
    const started = Date.now();
    const waiting = produceOnce(store, work({ find: async () => result, produce: async () => 'not expected' }));
    setTimeout(() => (result = 'theirs'), 50);
    expect(await waiting).toBe('theirs');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await store.isLocked('k')).toBe(true);
    await held!.release();
  });

  it('a waiter takes over at once when the holder lets the lock go without a result', async () => {
    const store = await lockStore();
    const held = await store.lock('k', 30_000);
    const started = Date.now();
    const waiting = produceOnce(store, work({}));
    setTimeout(() => void held!.release(), 50);
    expect(await waiting).toBe('mine');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps extending the lock while a long piece of work runs (keepAlive)', async () => {
    const store = await lockStore();
    let finish!: (value: string) => void;
    const running = produceOnce(
      store,
      work({ lockTtlMs: 1200, keepAlive: true, produce: () => new Promise<string>((resolve) => (finish = resolve)) }),
    );
    // past the lock's own lifetime: only the keep-alive can have kept it
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect(await store.isLocked('k')).toBe(true);
    finish('done');
    expect(await running).toBe('done');
    expect(await store.isLocked('k')).toBe(false);
  });
});
