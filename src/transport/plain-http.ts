import axios, { type AxiosResponse } from 'axios';
import type { HttpAnswer, PlainHttp } from '../core/ports.js';
import type { ProxySettings } from './egress-proxy.js';
import { describeTransportError } from './wechat-api.client.js';

export interface PlainHttpSettings {
  /** one call's bound, ms */
  timeoutMs: number;
  /** the largest answer read, bytes */
  answerLimit: number;
  httpProxy?: ProxySettings;
  /** the error a call that got no answer rejects with: `reason` names what happened, never the url's secrets */
  failure(url: URL, reason: string): Error;
}

/**
 * Raw HTTP: the exact body sent and received (signatures cover bytes), a bound on time and size, no
 * redirect followed, and errors that never carry the url, headers or body. Every status is an answer.
 */
export class PlainHttpClient implements PlainHttp {
  private readonly http = axios.create();

  constructor(private readonly settings: PlainHttpSettings) {}

  async send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
    const { timeoutMs, answerLimit, httpProxy } = this.settings;
    let response: AxiosResponse<string>;
    try {
      response = await this.http.request<string>({
        method,
        url,
        headers,
        data: body,
        timeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
        responseType: 'text',
        transformRequest: (data: unknown) => data,
        transformResponse: (raw: string) => raw,
        validateStatus: () => true,
        maxRedirects: 0,
        maxContentLength: answerLimit,
        maxBodyLength: answerLimit,
        ...(httpProxy ? { proxy: httpProxy } : {}),
      });
    } catch (error) {
      throw this.settings.failure(new URL(url), describeTransportError(error));
    }
    const answerHeaders: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (typeof value === 'string') answerHeaders[name.toLowerCase()] = value;
    }
    return { status: response.status, headers: answerHeaders, body: typeof response.data === 'string' ? response.data : '' };
  }
}
