import { LocalStore } from './local-store.js';

describe('LocalStore (the store of a single instance)', () => {
  it('keeps a value until its expiry and hands out copies', async () => {
    let now = 1_000;
    const store = new LocalStore(() => now);
    const value = { a: [1] };
    await store.set('k', value, 100);
    value.a.push(2);
    const read = (await store.get('k')) as { a: number[] };
    expect(read).toEqual({ a: [1] });
    read.a.push(3);
    expect(await store.get('k')).toEqual({ a: [1] });
    now += 99;
    expect(await store.get('k')).toEqual({ a: [1] });
    now += 1;
    expect(await store.get('k')).toBeUndefined();
  });

  it('stays bounded: past 10,000 values the expired go first, then those expiring soonest', async () => {
    let now = 0;
    const store = new LocalStore(() => now);
    await store.set('short', 1, 10);
    for (let i = 0; i < 9_999; i++) await store.set(`long-${i}`, i, 60_000 + i);
    now = 20;
    await store.set('new', 'x', 60_000);
    // the expired one made room: every live value is still there
    expect(await store.get('long-0')).toBe(0);
    expect(await store.get('new')).toBe('x');
    await store.set('newer', 'y', 120_000);
    // nothing had expired: the tenth expiring soonest went
    expect(await store.get('long-0')).toBeUndefined();
    expect(await store.get('long-998')).toBeUndefined();
    expect(await store.get('long-999')).toBe(999);
    expect(await store.get('newer')).toBe('y');
  });

  /** A store holding 10,000 live values long-0 .. long-9999, long-i expiring at 60,000 + i ms. */
  async function fullStore(clock: () => number) {
    const store = new LocalStore(clock);
    for (let i = 0; i < 10_000; i++) await store.set(`long-${i}`, i, 60_000 + i);
    return store;
  }

  it('makes room as soon as it holds 10,000 values: the next new key evicts the tenth expiring soonest', async () => {
    const store = await fullStore(() => 0);
    await store.set('new', 'x', 120_000);
    expect(await store.get('long-0')).toBeUndefined();
    expect(await store.get('long-999')).toBeUndefined();
    expect(await store.get('long-1000')).toBe(1000);
    expect(await store.get('new')).toBe('x');
  });

  it('a full store takes a new value of a key it holds without evicting anything', async () => {
    const store = await fullStore(() => 0);
    await store.set('long-5000', 'updated', 120_000);
    expect(await store.get('long-5000')).toBe('updated');
    expect(await store.get('long-0')).toBe(0);
  });

  it('a value whose expiry is now counts as expired when room is made', async () => {
    let now = 0;
    const store = new LocalStore(() => now);
    await store.set('edge', 1, 20);
    for (let i = 0; i < 9_999; i++) await store.set(`long-${i}`, i, 60_000 + i);
    now = 20;
    await store.set('new', 'x', 60_000);
    // dropping the value that expired at this very ms made room: no live value went
    expect(await store.get('long-0')).toBe(0);
    expect(await store.get('new')).toBe('x');
  });

  it('deletes values, and keeps locks and counters in this process on the same clock', async () => {
    let now = 0;
    const store = new LocalStore(() => now);
    expect(store.kind).toBe('memory');
    expect(await store.ping()).toBe(true);
    await store.set('k', 1, 1000);
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
    const lock = await store.lock('l', 100);
    expect(lock).not.toBeNull();
    expect(await store.lock('l', 100)).toBeNull();
    expect(await store.isLocked('l')).toBe(true);
    expect(await store.hit('c', 1000)).toEqual({ count: 1, resetMs: 1000 });
    expect(await store.hit('c', 1000, 2)).toEqual({ count: 3, resetMs: 1000 });
    now = 100;
    expect(await store.isLocked('l')).toBe(false);
    expect(await store.hit('c', 1000)).toEqual({ count: 4, resetMs: 900 });
    await store.close();
  });
});
