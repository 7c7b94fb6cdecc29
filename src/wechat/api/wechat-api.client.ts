import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AxiosResponse } from 'axios';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat.options.js';
import { WechatApiError, WechatUnavailableError } from './wechat-api.error.js';
import { backoffDelayMs, delay, type RetryPolicy } from './retry-policy.js';
import { parseWechatJson } from './wechat-json.js';
import { WechatEvents } from '../wechat-events.js';

export type Query = Record<string, string | number | undefined>;

interface CallSpec {
  method: 'GET' | 'POST';
  endpoint: string;
  query?: Query;
  body?: unknown;
}

/** Transport-level failure worth another attempt. */
class TransientFailure extends Error {}

/**
 * The one place that speaks HTTP to WeChat. It turns `{errcode, errmsg}` into WechatApiError,
 * retries transient failures with jittered backoff, and never lets a url (which may carry
 * `secret=` or `access_token=`) into a log line or an error message.
 */
@Injectable()
export class WechatApiClient {
  private readonly logger = new Logger('WechatApiClient');
  private readonly retry: RetryPolicy;

  constructor(
    private readonly http: HttpService,
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
    private readonly events: WechatEvents,
  ) {
    this.retry = options.retryPolicy;
  }

  get<T extends object>(endpoint: string, query: Query): Promise<T> {
    return this.call<T>({ method: 'GET', endpoint, query });
  }

  post<T extends object>(endpoint: string, body: unknown, query?: Query): Promise<T> {
    return this.call<T>({ method: 'POST', endpoint, query, body });
  }

  private async call<T extends object>(spec: CallSpec): Promise<T> {
    let lastReason = 'no attempt made';
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) await delay(backoffDelayMs(attempt - 1, this.retry));
      const started = performance.now();
      try {
        const result = await this.attempt<T>(spec);
        this.events.apiCall(spec.endpoint, 'ok', performance.now() - started);
        return result;
      } catch (error) {
        const elapsed = performance.now() - started;
        if (error instanceof WechatApiError && error.kind !== 'transient') {
          this.events.apiCall(spec.endpoint, 'errcode', elapsed);
          throw error;
        }
        lastReason = error instanceof WechatApiError ? `errcode ${error.errcode}` : (error as Error).message;
        this.events.apiCall(spec.endpoint, error instanceof WechatApiError ? 'errcode' : 'transport', elapsed);
        this.logger.warn(`${spec.method} ${spec.endpoint} attempt ${attempt + 1}/${this.retry.attempts} failed: ${lastReason}`);
        if (!(error instanceof TransientFailure) && !(error instanceof WechatApiError)) throw error;
      }
    }
    throw new WechatUnavailableError(spec.endpoint, lastReason);
  }

  private async attempt<T extends object>(spec: CallSpec): Promise<T> {
    let response: AxiosResponse<string>;
    try {
      response = await this.http.axiosRef.request<string>({
        method: spec.method,
        baseURL: this.options.apiBaseUrl,
        url: `/${spec.endpoint}`,
        params: spec.query,
        data: spec.body,
        timeout: this.options.httpTimeoutMs,
        signal: AbortSignal.timeout(this.options.httpTimeoutMs),
        responseType: 'text',
        transformResponse: (raw: string) => raw,
        validateStatus: () => true,
      });
    } catch (error) {
      // Axios errors embed the full url and config; keep only a code-level reason.
      throw new TransientFailure(describeTransportError(error));
    }
    if (response.status >= 500 || response.status === 429) {
      throw new TransientFailure(`HTTP ${response.status}`);
    }
    if (response.status < 200 || response.status >= 300) {
      throw new WechatUnavailableError(spec.endpoint, `unexpected HTTP ${response.status}`);
    }
    const parsed = parseWechatJson(response.data);
    if (parsed === undefined) throw new TransientFailure('answer is not JSON');
    const { errcode, errmsg } = parsed as { errcode?: unknown; errmsg?: unknown };
    const code = typeof errcode === 'string' ? Number(errcode) : errcode;
    if (typeof code === 'number' && code !== 0) {
      throw new WechatApiError(code, typeof errmsg === 'string' ? errmsg : '', spec.endpoint);
    }
    return parsed as T;
  }
}

function describeTransportError(error: unknown): string {
  const e = error as { code?: string; name?: string };
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || e.name === 'CanceledError' || e.code === 'ERR_CANCELED') {
    return 'timed out';
  }
  return e.code ? `connection failed (${e.code})` : 'connection failed';
}
