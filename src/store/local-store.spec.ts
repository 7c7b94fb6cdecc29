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
});
