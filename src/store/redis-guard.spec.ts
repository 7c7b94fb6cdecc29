import { createClient } from 'redis';
import { eventually } from '../../test/support/eventually.js';
import { REDIS_HOST, REDIS_PORT } from '../../test/support/redis-keys.js';
import { TcpProxy } from '../../test/support/tcp-proxy.js';
import { RedisGuard, StoreUnavailableError } from './redis-guard.js';

const TIMEOUT_MS = 300;

describe('RedisGuard against real Redis behind a proxy', () => {
  let proxy: TcpProxy;
  let client: ReturnType<typeof createClient>;
  let guard: RedisGuard;
  const warnings: string[] = [];

  beforeEach(async () => {
    proxy = await new TcpProxy(REDIS_PORT, REDIS_HOST).start();
    client = createClient({ url: `redis://127.0.0.1:${proxy.port}`, disableOfflineQueue: true });
    client.on('error', () => undefined);
    await client.connect();
    guard = new RedisGuard(client, { commandTimeoutMs: TIMEOUT_MS, warn: (m) => warnings.push(m) });
  });
  afterEach(async () => {
    guard.close();
    await client.disconnect().catch(() => undefined);
    await proxy.cut();
  });

  it('passes answers through while Redis answers', async () => {
    expect(await guard.run(() => client.ping())).toBe('PONG');
    expect(guard.up).toBe(true);
  });

  it('bounds an operation on a stalled link, then fails the next ones at once', async () => {
    proxy.stall();
    const started = performance.now();
    await expect(guard.run(() => client.ping())).rejects.toBeInstanceOf(StoreUnavailableError);
    const first = performance.now() - started;
    expect(first).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(first).toBeLessThan(TIMEOUT_MS + 200);
    expect(guard.up).toBe(false);

    const again = performance.now();
    await expect(guard.run(() => client.get('any'))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(performance.now() - again).toBeLessThan(50);
    expect(await guard.ping()).toBe(false);
  });

  it('replaces the stalled connection and is up again soon after the link works again', async () => {
    proxy.stall();
    await expect(guard.run(() => client.ping())).rejects.toBeInstanceOf(StoreUnavailableError);
    // the stall outlives several recovery rounds: each one finds the link still dead
    expect(await eventually(async () => warnings.some((w) => w.includes('not answering')), 1000)).toBe(true);
    proxy.resume();
    const resumedAt = Date.now();
    expect(await eventually(async () => guard.up, 5000)).toBe(true);
    expect(Date.now() - resumedAt).toBeLessThan(4 * TIMEOUT_MS + 1000);
    expect(await guard.run(() => client.ping())).toBe('PONG');
    expect(warnings.at(-1)).toContain('answers again');
  });

  it('recovers after the connection was reset, and after Redis refused connections for a while', async () => {
    proxy.reset();
    expect(await eventually(async () => !(await guard.ping()), 2000)).toBe(true);
    expect(await eventually(async () => guard.up, 5000)).toBe(true);

    await proxy.cut();
    expect(await eventually(async () => !(await guard.ping()), 2000)).toBe(true);
    await proxy.restore();
    expect(await eventually(async () => guard.up && (await guard.ping()), 8000)).toBe(true);
  });

  it('wraps a Redis error without its arguments', async () => {
    await client.set('redis-guard-spec:string', 'x', { PX: 5000 });
    const error = await guard.run(() => client.hGet('redis-guard-spec:string', 'secret-field')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).not.toContain('secret-field');
    expect(guard.up).toBe(true);
  });
});

/** A connection whose state the test decides: a handshake that never ends, until it is reopened. */
class StuckHandshake {
  isReady = false;
  isOpen = true;
  connects = 0;
  disconnects = 0;
  async connect(): Promise<void> {
    this.connects += 1;
    this.isOpen = true;
    this.isReady = true;
  }
  async disconnect(): Promise<void> {
    this.disconnects += 1;
    this.isOpen = false;
    this.isReady = false;
  }
  async ping(): Promise<string> {
    return 'PONG';
  }
}

describe('RedisGuard with a connection of known state', () => {
  it('reopens a reconnect whose handshake hangs, within a few command timeouts', async () => {
    const connection = new StuckHandshake();
    const guard = new RedisGuard(connection, { commandTimeoutMs: 100, probeIntervalMs: 20 });
    try {
      // node-redis says it is open but never ready: the first operation fails and starts the recovery
      await expect(guard.run(() => connection.ping())).rejects.toBeInstanceOf(StoreUnavailableError);
      const started = Date.now();
      expect(await eventually(async () => guard.up, 3000, 10)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1000);
      expect([connection.disconnects, connection.connects]).toEqual([1, 1]);
      expect(await guard.run(() => connection.ping())).toBe('PONG');
    } finally {
      guard.close();
    }
  });

  it('tells a refusal (Redis answered with an error) from an outage, and stays up for it', async () => {
    const connection = new StuckHandshake();
    await connection.connect();
    const guard = new RedisGuard(connection, { commandTimeoutMs: 100 });
    class ErrorReply extends Error {}
    const oom = await guard
      .run(() => Promise.reject(new ErrorReply("OOM command not allowed when used memory > 'maxmemory'.")))
      .catch((e: unknown) => e);
    expect(oom).toBeInstanceOf(StoreUnavailableError);
    expect((oom as StoreUnavailableError).refused).toBe(true);
    expect((oom as Error).message).toMatch(/^the shared store refused the operation: OOM/);
    expect(guard.up).toBe(true);
    const readonly = await guard
      .run(() => Promise.reject(new Error("READONLY You can't write against a read only replica.")))
      .catch((e: unknown) => e);
    expect((readonly as StoreUnavailableError).refused).toBe(true);
    const reset = await guard.run(() => Promise.reject(new Error('Socket closed unexpectedly'))).catch((e: unknown) => e);
    expect((reset as StoreUnavailableError).refused).toBe(false);
    guard.close();
  });
});
