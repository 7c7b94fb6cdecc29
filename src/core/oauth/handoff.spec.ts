import { jest } from '@jest/globals';
import { LocalStore } from '../../store/local-store.js';
import { Problem } from '../problem.js';
import type { WechatStore } from '../wechat-store.js';
import { HANDOFF_GRACE_MS, HandoffDesk, isHandoffTicket } from './handoff.js';
import type { SessionUser } from './session-user.js';

const TTL = 120_000;
const browser = { userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/131', ip: '203.0.113.7' };
const user: SessionUser = {
  appId: 'wx_app',
  openid: 'o_phone_user',
  scope: 'snsapi_base',
  loggedInAt: '2026-12-08T00:00:00.000Z',
};

function setUp(store?: WechatStore) {
  let now = 1_000_000;
  const clock = () => now;
  const shared = store ?? new LocalStore(clock);
  const desk = (prefix = 'p:') => new HandoffDesk({ store: shared, keyPrefix: prefix, ttlMs: TTL, clock });
  return { desk: desk(), other: desk(), store: shared, advance: (ms: number) => (now += ms), now: () => now };
}

async function problemOf(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Problem)) throw new Error(`expected a Problem, got ${String(error)}`);
  return { status: error.statusCode, code: error.code };
}

describe('HandoffDesk', () => {
  it('gives a ticket and a secret of 256 random bits each, different every time, expiring after the TTL', async () => {
    const { desk, now } = setUp();
    const a = await desk.create(browser);
    const b = await desk.create(browser);
    for (const value of [a.ticket, a.secret, b.ticket, b.secret]) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set([a.ticket, a.secret, b.ticket, b.secret]).size).toBe(4);
    expect(a.expiresAt).toBe(now() + TTL);
    expect(isHandoffTicket(a.ticket)).toBe(true);
    expect(isHandoffTicket(`${a.ticket}x`)).toBe(false);
    expect(isHandoffTicket(a.ticket.slice(1))).toBe(false);
    expect(isHandoffTicket(42)).toBe(false);
  });

  it('goes pending → scanned → confirmed → used, the computer following with its secret', async () => {
    const { desk, other } = setUp();
    const { ticket, secret } = await desk.create(browser, 'wx_app');
    expect(await desk.state(ticket, secret)).toBe('pending');
    const seen = await other.scan(ticket);
    expect(seen).toEqual({
      browser,
      createdAt: expect.any(Number),
      expiresAt: expect.any(Number),
      appId: 'wx_app',
      state: 'scanned',
    });
    expect(await desk.state(ticket, secret)).toBe('scanned');
    expect(await other.accountOf(ticket)).toBe('wx_app');
    await other.bind(ticket, user);
    expect(await desk.state(ticket, secret)).toBe('confirmed');
    expect(await desk.redeem(ticket, secret)).toEqual(user);
    expect(await desk.state(ticket, secret)).toBe('used');
  });

  it('redeems once: a second redeem, on any instance, is 410 HANDOFF_USED', async () => {
    const { desk, other } = setUp();
    const { ticket, secret } = await desk.create(browser);
    await other.bind(ticket, user);
    const both = await Promise.allSettled([desk.redeem(ticket, secret), other.redeem(ticket, secret)]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ statusCode: 410, code: 'HANDOFF_USED' });
    expect(await problemOf(desk.redeem(ticket, secret))).toEqual({ status: 410, code: 'HANDOFF_USED' });
    expect(await problemOf(desk.scan(ticket))).toEqual({ status: 410, code: 'HANDOFF_USED' });
  });

  it('binds once: concurrent callbacks of two phones leave the first user, the other gets 409', async () => {
    const { desk, other } = setUp();
    const { ticket, secret } = await desk.create(browser);
    const intruder = { ...user, openid: 'o_intruder' };
    const both = await Promise.allSettled([desk.bind(ticket, user), other.bind(ticket, intruder)]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((both.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      statusCode: 409,
      code: 'HANDOFF_ALREADY_DECIDED',
    });
    expect(await problemOf(desk.refuse(ticket))).toEqual({ status: 409, code: 'HANDOFF_ALREADY_DECIDED' });
    const redeemed = await desk.redeem(ticket, secret);
    expect(redeemed.openid).toBe(both[0].status === 'fulfilled' ? 'o_phone_user' : 'o_intruder');
  });

  it('a refused handoff shows refused, cannot be bound afterwards and never redeems', async () => {
    const { desk } = setUp();
    const { ticket, secret } = await desk.create(browser);
    await desk.refuse(ticket);
    expect(await desk.state(ticket, secret)).toBe('refused');
    expect(await problemOf(desk.bind(ticket, user))).toEqual({ status: 409, code: 'HANDOFF_ALREADY_DECIDED' });
    expect(await problemOf(desk.redeem(ticket, secret))).toEqual({ status: 409, code: 'HANDOFF_NOT_CONFIRMED' });
  });

  it('cannot be redeemed before the phone confirmed (409), and that redeem spends nothing', async () => {
    const { desk } = setUp();
    const { ticket, secret } = await desk.create(browser);
    expect(await problemOf(desk.redeem(ticket, secret))).toEqual({ status: 409, code: 'HANDOFF_NOT_CONFIRMED' });
    await desk.scan(ticket);
    expect(await problemOf(desk.redeem(ticket, secret))).toEqual({ status: 409, code: 'HANDOFF_NOT_CONFIRMED' });
    await desk.bind(ticket, user);
    expect(await desk.redeem(ticket, secret)).toEqual(user);
  });

  it('answers 404 to a stranger: no secret, a wrong one, another ticket’s, or a malformed or unknown ticket', async () => {
    const { desk } = setUp();
    const mine = await desk.create(browser);
    const theirs = await desk.create(browser);
    await desk.bind(mine.ticket, user);
    const notFound = { status: 404, code: 'HANDOFF_NOT_FOUND' };
    for (const secret of [undefined, '', 'x'.repeat(43), theirs.secret, ['array'], `${mine.secret} `]) {
      expect(await problemOf(desk.state(mine.ticket, secret))).toEqual(notFound);
      expect(await problemOf(desk.redeem(mine.ticket, secret))).toEqual(notFound);
    }
    expect(await problemOf(desk.state('A'.repeat(43), mine.secret))).toEqual(notFound);
    expect(await problemOf(desk.state('../x', mine.secret))).toEqual(notFound);
    expect(await problemOf(desk.scan('A'.repeat(43)))).toEqual(notFound);
    expect(await problemOf(desk.bind('A'.repeat(43), user))).toEqual(notFound);
    // and the owner still redeems afterwards: the strangers spent nothing
    expect(await desk.redeem(mine.ticket, mine.secret)).toEqual(user);
  });

  it('expires: after the TTL it shows expired, and scan, bind, refuse and redeem answer 410 HANDOFF_EXPIRED', async () => {
    const { desk, advance } = setUp();
    const { ticket, secret } = await desk.create(browser);
    advance(TTL - 1);
    expect(await desk.state(ticket, secret)).toBe('pending');
    advance(1);
    expect(await desk.state(ticket, secret)).toBe('expired');
    const gone = { status: 410, code: 'HANDOFF_EXPIRED' };
    expect(await problemOf(desk.scan(ticket))).toEqual(gone);
    expect(await problemOf(desk.accountOf(ticket))).toEqual(gone);
    expect(await problemOf(desk.bind(ticket, user))).toEqual(gone);
    expect(await problemOf(desk.refuse(ticket))).toEqual(gone);
    expect(await problemOf(desk.redeem(ticket, secret))).toEqual(gone);
    // past the grace the ticket is forgotten
    advance(HANDOFF_GRACE_MS);
    expect(await problemOf(desk.state(ticket, secret))).toEqual({ status: 404, code: 'HANDOFF_NOT_FOUND' });
  });

  it('a confirmed handoff not redeemed before the TTL expires too', async () => {
    const { desk, advance } = setUp();
    const { ticket, secret } = await desk.create(browser);
    await desk.bind(ticket, user);
    advance(TTL);
    expect(await desk.state(ticket, secret)).toBe('expired');
    expect(await problemOf(desk.redeem(ticket, secret))).toEqual({ status: 410, code: 'HANDOFF_EXPIRED' });
  });

  it('a used handoff stays used (410 HANDOFF_USED) through its grace, not expired', async () => {
    const { desk, advance } = setUp();
    const { ticket, secret } = await desk.create(browser);
    await desk.bind(ticket, user);
    await desk.redeem(ticket, secret);
    advance(TTL + HANDOFF_GRACE_MS - 1);
    expect(await desk.state(ticket, secret)).toBe('used');
    expect(await problemOf(desk.redeem(ticket, secret))).toEqual({ status: 410, code: 'HANDOFF_USED' });
  });

  it('refuses a snapshot-page user (403) and leaves the ticket open for a real login', async () => {
    const { desk } = setUp();
    const { ticket, secret } = await desk.create(browser);
    expect(await problemOf(desk.bind(ticket, { ...user, isSnapshotUser: true }))).toEqual({ status: 403, code: 'SNAPSHOT_USER' });
    expect(await desk.state(ticket, secret)).toBe('pending');
    await desk.bind(ticket, user);
    expect(await desk.state(ticket, secret)).toBe('confirmed');
  });

  it('scanning again keeps a later state: a confirmed ticket is not set back to scanned', async () => {
    const { desk } = setUp();
    const { ticket, secret } = await desk.create(browser);
    await desk.bind(ticket, user);
    expect((await desk.scan(ticket)).state).toBe('confirmed');
    expect(await desk.state(ticket, secret)).toBe('confirmed');
  });

  it('shows a decision being written as scanned, never as confirmed without its user', async () => {
    const { desk, store } = setUp();
    const { ticket, secret } = await desk.create(browser);
    const setValue = store.set.bind(store);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    jest.spyOn(store, 'set').mockImplementation(async (key, value, ttl) => {
      if (key.endsWith(':outcome')) await held;
      return setValue(key, value, ttl);
    });
    const binding = desk.bind(ticket, user);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await desk.state(ticket, secret)).toBe('scanned');
    release();
    await binding;
    expect(await desk.state(ticket, secret)).toBe('confirmed');
  });

  it('keeps the browser it shows short, and stores neither ticket nor secret in a key or a value', async () => {
    const { store } = setUp();
    const seen: string[] = [];
    const setValue = store.set.bind(store);
    jest.spyOn(store, 'set').mockImplementation(async (key, value, ttl) => {
      seen.push(key, JSON.stringify(value));
      return setValue(key, value, ttl);
    });
    const desk = new HandoffDesk({ store, keyPrefix: 'p:', ttlMs: TTL, clock: Date.now });
    const { ticket, secret } = await desk.create({ userAgent: 'u'.repeat(1000), ip: '1'.repeat(100) });
    const shown = await desk.scan(ticket);
    expect(shown.browser.userAgent).toHaveLength(300);
    expect(shown.browser.ip).toHaveLength(64);
    expect(seen.join('\n')).not.toContain(ticket);
    expect(seen.join('\n')).not.toContain(secret);
    expect(seen[0]).toMatch(/^p:\{handoff:[A-Za-z0-9_-]{43}\}:record$/);
  });

  it('fails with the store: an error of the store is not taken for a decision', async () => {
    const { desk, store } = setUp();
    const { ticket, secret } = await desk.create(browser);
    jest.spyOn(store, 'lock').mockRejectedValueOnce(new Problem(503, 'STORE_UNAVAILABLE', 'down'));
    expect(await problemOf(desk.bind(ticket, user))).toEqual({ status: 503, code: 'STORE_UNAVAILABLE' });
    expect(await desk.state(ticket, secret)).toBe('pending');
    await desk.bind(ticket, user);
    expect(await desk.redeem(ticket, secret)).toEqual(user);
  });

  it('takes a record the store hands back in another shape for no record (404)', async () => {
    const { desk, store } = setUp();
    const { ticket, secret } = await desk.create(browser);
    const key = (await import('node:crypto')).createHash('sha256').update(ticket).digest('base64url');
    for (const garbage of [
      null,
      'text',
      { secretHash: 42, expiresAt: 1 },
      { secretHash: 'x', expiresAt: '1' },
      { secretHash: 'abc', expiresAt: 9e15 },
    ]) {
      await store.set(`p:{handoff:${key}}:record`, garbage, 60_000);
      expect(await problemOf(desk.state(ticket, secret))).toEqual({ status: 404, code: 'HANDOFF_NOT_FOUND' });
    }
  });

  it('keeps its marks no longer than the ticket answers', async () => {
    const { desk, store, advance } = setUp();
    const { ticket } = await desk.create(browser);
    await desk.scan(ticket);
    await desk.bind(ticket, user);
    const key = (await import('node:crypto')).createHash('sha256').update(ticket).digest('base64url');
    advance(TTL + HANDOFF_GRACE_MS);
    for (const part of ['record', 'scanned', 'outcome']) expect(await store.get(`p:{handoff:${key}}:${part}`)).toBeUndefined();
    expect(await store.isLocked(`p:{handoff:${key}}:decision`)).toBe(false);
  });
});
