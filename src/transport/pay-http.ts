import axios, { type AxiosResponse } from 'axios';
import type { HttpAnswer, PayHttp } from '../core/ports.js';
import { WechatPayUnavailableError } from '../core/pay/pay-errors.js';
import { endpointName } from '../core/pay/wechatpay-client.js';
import type { ProxySettings } from './egress-proxy.js';
import { describeTransportError } from './wechat-api.client.js';

export interface PayHttpSettings {
  /** one call's bound, ms */
  timeoutMs: number;
  httpProxy?: ProxySettings;
}

/** WeChat Pay's answers are small JSON; anything larger is not an answer of it. */
const ANSWER_LIMIT = 256 * 1024;

/**
 * Raw HTTP to WeChat Pay: the exact body sent and received (signatures cover bytes), a bound on
 * time and size, no redirect followed, and errors that never carry the url, headers or body.
 */
export class PayHttpClient implements PayHttp {
  private readonly http = axios.create();

  constructor(private readonly settings: PayHttpSettings) {}

  async send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
    // the same label the client gives the call, whatever base path WeChat Pay is mounted under
    const endpoint = endpointName(new URL(url).pathname.replace(/^.*?(?=\/v3\/)/, ''));
    let response: AxiosResponse<string>;
    try {
      response = await this.http.request<string>({
        method,
        url,
        headers,
        data: body,
        timeout: this.settings.timeoutMs,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        responseType: 'text',
        transformRequest: (data: unknown) => data,
        transformResponse: (raw: string) => raw,
        validateStatus: () => true,
        maxRedirects: 0,
        maxContentLength: ANSWER_LIMIT,
        maxBodyLength: ANSWER_LIMIT,
        ...(this.settings.httpProxy ? { proxy: this.settings.httpProxy } : {}),
      });
    } catch (error) {
      throw new WechatPayUnavailableError(endpoint, describeTransportError(error));
    }
    const answerHeaders: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (typeof value === 'string') answerHeaders[name.toLowerCase()] = value;
    }
    return { status: response.status, headers: answerHeaders, body: typeof response.data === 'string' ? response.data : '' };
  }
}
