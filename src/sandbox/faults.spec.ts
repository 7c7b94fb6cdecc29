import { FaultQueue, faultProblem } from './faults.js';
import { resolveSandboxOptions, SANDBOX_DEFAULT_ACCOUNT } from './sandbox.options.js';

describe('FaultQueue', () => {
  it('queues per endpoint in FIFO order and copies faults', () => {
    const q = new FaultQueue();
    const fault = { kind: 'errcode' as const, errcode: -1 };
    q.inject('a', fault, 2);
    q.inject('a', { kind: 'drop' });
    q.inject('b', { kind: 'garbage' });
    fault.errcode = 40001;
    expect(q.pending()).toBe(4);
    expect([q.take('a'), q.take('a'), q.take('a'), q.take('a')]).toEqual([
      { kind: 'errcode', errcode: -1 },
      { kind: 'errcode', errcode: -1 },
      { kind: 'drop' },
      undefined,
    ]);
    q.clear();
    expect(q.take('b')).toBeUndefined();
  });

  it('rejects invalid faults and times', () => {
    const q = new FaultQueue();
    expect(() => q.inject('a', { kind: 'drop' }, 0)).toThrow(/times/);
    expect(() => q.inject('a', { kind: 'http', status: 42 })).toThrow(/status/);
    expect(faultProblem(null)).toBeDefined();
    expect(faultProblem({ kind: 'slow', delayMs: 10, errcode: -1 })).toBeUndefined();
  });

  it('accepts cut faults with a non-negative integer afterBytes and keeps only known fields', () => {
    const q = new FaultQueue();
    q.inject('m', { kind: 'cut', afterBytes: 10, extra: true } as never);
    expect(q.take('m')).toEqual({ kind: 'cut', afterBytes: 10 });
    expect(faultProblem({ kind: 'cut', afterBytes: 0 })).toBeUndefined();
    for (const afterBytes of [-1, 0.5, '1', undefined]) expect(faultProblem({ kind: 'cut', afterBytes })).toMatch(/afterBytes/);
  });
});

describe('resolveSandboxOptions', () => {
  it('falls back to the default account and WeChat defaults', () => {
    const o = resolveSandboxOptions({ accounts: [] });
    expect(o.accounts).toEqual([SANDBOX_DEFAULT_ACCOUNT]);
    expect(o).toMatchObject({ tokenExpiresInSec: 7200, graceSec: 300, tokenDailyQuota: 2000, wrongSecretErrcode: 40125 });
    expect(() => resolveSandboxOptions({ graceSec: -1 })).toThrow(/graceSec/);
  });
});
