import { Problem } from './problem.js';
import { classifyErrcode, errcodeHint, type ErrcodeKind } from './errcodes.js';

/**
 * WeChat answered with a non-zero errcode: 502 `WECHAT_API_ERROR` with the errcode and a hint. Carries
 * no credential: only the endpoint path. The message holds the errcode and a hint, never WeChat's
 * errmsg (it can carry this server's egress IP, or any bytes the upstream sent): `errmsg` is kept for logs.
 */
export class WechatApiError extends Problem {
  readonly kind: ErrcodeKind;
  readonly hint?: string;

  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly endpoint: string,
    kind?: ErrcodeKind,
  ) {
    const hint = errcodeHint(errcode);
    super(502, 'WECHAT_API_ERROR', `WeChat ${endpoint} answered errcode ${errcode}${hint ? `: ${hint}` : ''}`, {
      errcode,
      ...(hint ? { hint } : {}),
    });
    this.name = 'WechatApiError';
    this.kind = kind ?? classifyErrcode(errcode);
    this.hint = hint;
  }
}

/** WeChat could not be reached, or kept failing transiently after the retries: 503 `WECHAT_UNAVAILABLE`. */
export class WechatUnavailableError extends Problem {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super(503, 'WECHAT_UNAVAILABLE', `WeChat ${endpoint} is unavailable: ${reason}`);
    this.name = 'WechatUnavailableError';
  }
}
