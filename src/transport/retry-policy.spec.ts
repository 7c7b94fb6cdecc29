import { backoffDelayMs, DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { classifyErrcode, errcodeHint, isTokenInvalidErrcode } from '../core/errcodes.js';
import { WechatApiError, WechatUnavailableError } from '../core/wechat-api.error.js';

describe('backoff', () => {
  const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

  it('draws a delay in [0, base * 2^retry), capped at maxDelayMs', () => {
    expect(backoffDelayMs(0, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(0, policy, () => 0.999)).toBe(99);
    expect(backoffDelayMs(1, policy, () => 0.5)).toBe(100);
    expect(backoffDelayMs(2, policy, () => 0.999)).toBe(399);
    // 100 * 2^5 = 3200 would pass the cap
    expect(backoffDelayMs(5, policy, () => 0.999)).toBe(999);
  });

  it('defaults to 3 attempts within a second of backoff', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 });
  });
});

describe('errcodes', () => {
  it('tells a rejected token, a transient failure and a final refusal apart', () => {
    for (const code of [40001, 40014, 42001]) {
      expect(classifyErrcode(code)).toBe('token-invalid');
      expect(isTokenInvalidErrcode(code)).toBe(true);
    }
    expect(classifyErrcode(-1)).toBe('transient');
    expect(isTokenInvalidErrcode(-1)).toBe(false);
    for (const code of [45009, 40013, 40125, 40164, 48001, 12345]) expect(classifyErrcode(code)).toBe('fatal');
    expect(errcodeHint(40164)).toContain('whitelist');
    expect(errcodeHint(12345)).toBeUndefined();
  });

  it('puts errcode and hint in the message, never the errmsg, and lets the caller choose the kind', () => {
    const error = new WechatApiError(40164, 'invalid ip 203.0.113.7', 'cgi-bin/token');
    expect(error).toMatchObject({ errcode: 40164, errmsg: 'invalid ip 203.0.113.7', endpoint: 'cgi-bin/token', kind: 'fatal' });
    expect(error.message).toContain('errcode 40164');
    expect(error.message).toContain(error.hint!);
    expect(error.message).not.toContain('203.0.113.7');
    expect(new WechatApiError(40001, '', 'cgi-bin/token', 'fatal').kind).toBe('fatal');
    expect(new WechatUnavailableError('cgi-bin/token', 'timed out')).toMatchObject({
      endpoint: 'cgi-bin/token',
      reason: 'timed out',
    });
  });
});
