import { Problem } from '../problem.js';

/**
 * WeChat Pay refused a call (its `code`, e.g. OPENID_MISMATCH, travels as `payCode`), or answered
 * something that could not be believed: 502 `WECHAT_PAY_ERROR`. WeChat Pay's own message is for the log.
 */
export class WechatPayError extends Problem {
  constructor(
    readonly payCode: string,
    readonly httpStatus: number,
    readonly endpoint: string,
    /** whether the refusal itself carried WeChat Pay's valid signature: only then is it acted on */
    readonly verified = false,
  ) {
    super(502, 'WECHAT_PAY_ERROR', `WeChat Pay ${endpoint} answered ${payCode}`, { payCode });
    this.name = 'WechatPayError';
  }
}

/** WeChat Pay could not be reached in time: 503 `WECHAT_PAY_UNAVAILABLE`. */
export class WechatPayUnavailableError extends Problem {
  constructor(
    readonly endpoint: string,
    reason: string,
  ) {
    super(503, 'WECHAT_PAY_UNAVAILABLE', `WeChat Pay ${endpoint} is unavailable: ${reason}`);
    this.name = 'WechatPayUnavailableError';
  }
}

/** The payCode of an answer whose signature did not verify: it is not believed, whatever it says. */
export const UNVERIFIED_ANSWER = 'UNVERIFIED_ANSWER';
