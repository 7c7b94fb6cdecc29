import { WechatPayUnavailableError } from '../core/pay/pay-errors.js';
import { endpointName } from '../core/pay/wechatpay-client.js';
import type { ProxySettings } from './egress-proxy.js';
import { PlainHttpClient } from './plain-http.js';

export interface PayHttpSettings {
  /** one call's bound, ms */
  timeoutMs: number;
  httpProxy?: ProxySettings;
}

/** WeChat Pay's answers are small JSON; anything larger is not an answer of it. */
const ANSWER_LIMIT = 256 * 1024;

/** Raw HTTP to WeChat Pay; a call that gets no answer is a WechatPayUnavailableError naming the endpoint. */
export class PayHttpClient extends PlainHttpClient {
  constructor(settings: PayHttpSettings) {
    super({
      ...settings,
      answerLimit: ANSWER_LIMIT,
      // the same label the client gives the call, whatever base path WeChat Pay is mounted under
      failure: (url, reason) => new WechatPayUnavailableError(endpointName(url.pathname.replace(/^.*?(?=\/v3\/)/, '')), reason),
    });
  }
}
