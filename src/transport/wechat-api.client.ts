import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { ClientRequest } from 'node:http';
import { Readable } from 'node:stream';
import type { WechatEventListener } from '../core/events.js';
import type { CallContext, Logger, Query, Transport, WechatDownload } from '../core/ports.js';
import { WechatApiError, WechatUnavailableError } from '../core/wechat-api.error.js';
import type { ProxySettings } from './egress-proxy.js';
import { backoffDelayMs, delay, type RetryPolicy } from './retry-policy.js';
import { parseWechatJson } from './wechat-json.js';
import {
  filenameFromDisposition,
  JSON_ANSWER_LIMIT,
  kindOfContentType,
  mustReadAsJson,
  parseContentLength,
  readHead,
  type StreamHead,
} from './download-answer.js';

export type { Query, WechatDownload, WechatFile } from '../core/ports.js';

/** Where and how the transport reaches WeChat. */
export interface TransportSettings {
  /** e.g. https://api.weixin.qq.com (no trailing slash) */
  apiBaseUrl: string;
  /** one attempt's bound, ms */
  httpTimeoutMs: number;
  retryPolicy: RetryPolicy;
  /** the egress proxy every call goes through, when one is set (HTTPS tunnelled with CONNECT) */
  httpProxy?: ProxySettings;
}

interface CallSpec {
  method: 'GET' | 'POST';
  endpoint: string;
  query?: Query;
  body?: unknown;
}

/**
 * Transport-level failure worth another attempt. `unknownOutcome`: the request may have reached WeChat
 * and taken effect (a timeout, a reset, HTTP 5xx, an unreadable answer), unlike a refused connection.
 */
class TransientFailure extends Error {
  constructor(
    message: string,
    readonly unknownOutcome = true,
  ) {
    super(message);
  }
}

/** Connection failures that happen before a request is sent: WeChat cannot have acted on it. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The one place that speaks HTTP to WeChat. It turns `{errcode, errmsg}` into WechatApiError,
 * retries transient failures with jittered backoff, and never lets a url (which may carry
 * `secret=` or `access_token=`) into a log line or an error message.
 */
export class WechatApiClient implements Transport {
  private readonly retry: RetryPolicy;
  /** the egress proxy, when one is set (axios tunnels HTTPS through it with CONNECT) */
  private readonly egress: { proxy?: ProxySettings };
  private readonly http: AxiosInstance = axios.create();

  constructor(
    private readonly options: TransportSettings,
    private readonly events: Pick<WechatEventListener, 'apiCall'>,
    private readonly logger: Logger,
  ) {
    this.retry = options.retryPolicy;
    const proxy = options.httpProxy;
    this.egress = proxy ? { proxy } : {};
    if (proxy) this.logger.log(`calls to WeChat go through the proxy ${proxy.protocol}://${proxy.host}:${proxy.port}`);
  }

  get<T extends object>(endpoint: string, query: Query, context?: CallContext): Promise<T> {
    return this.call<T>({ method: 'GET', endpoint, query }, context);
  }

  post<T extends object>(endpoint: string, body: unknown, query?: Query, context?: CallContext): Promise<T> {
    return this.call<T>({ method: 'POST', endpoint, query, body }, context);
  }

  /**
   * GET a binary download (cgi-bin/media/get and the like) without buffering it. WeChat answers
   * errors as HTTP 200 JSON (labelled application/json or text/plain), so those, and a small body
   * that opens with `{`, are read as JSON: an errcode becomes WechatApiError, anything else comes
   * back as `json`. Opening is retried like any call; a file body that breaks off later is the
   * caller's to retry, since it has consumed part of it.
   */
  download(endpoint: string, query: Query, context?: CallContext): Promise<WechatDownload> {
    return this.retrying('GET', endpoint, () => this.openDownload(endpoint, query), context?.appId ?? '', true);
  }

  private call<T extends object>(spec: CallSpec, context?: CallContext): Promise<T> {
    const appId = context?.appId ?? '';
    return this.retrying(spec.method, spec.endpoint, () => this.attempt<T>(spec), appId, context?.repeatable ?? true);
  }

  /**
   * Runs `run` until it succeeds, fails for good, or the transient retries are used up. A call that is
   * not `repeatable` stops at the first failure whose outcome is unknown.
   */
  private async retrying<T>(
    method: string,
    endpoint: string,
    run: () => Promise<T>,
    appId: string,
    repeatable: boolean,
  ): Promise<T> {
    let lastReason = 'no attempt made';
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) await delay(backoffDelayMs(attempt - 1, this.retry));
      const started = performance.now();
      try {
        const result = await run();
        this.events.apiCall(endpoint, 'ok', performance.now() - started, appId);
        return result;
      } catch (error) {
        const elapsed = performance.now() - started;
        if (error instanceof WechatApiError && error.kind !== 'transient') {
          this.events.apiCall(endpoint, 'errcode', elapsed, appId);
          throw error;
        }
        lastReason = error instanceof WechatApiError ? `errcode ${error.errcode}` : (error as Error).message;
        this.events.apiCall(endpoint, error instanceof WechatApiError ? 'errcode' : 'transport', elapsed, appId);
        this.logger.warn(`${method} ${endpoint} attempt ${attempt + 1}/${this.retry.attempts} failed: ${lastReason}`);
        if (!(error instanceof TransientFailure) && !(error instanceof WechatApiError)) throw error;
        if (!repeatable && error instanceof TransientFailure && error.unknownOutcome)
          throw new WechatUnavailableError(endpoint, `${lastReason}; not repeated, since WeChat may have acted on it`);
      }
    }
    throw new WechatUnavailableError(endpoint, lastReason);
  }

  private async attempt<T extends object>(spec: CallSpec): Promise<T> {
    let response: AxiosResponse<string>;
    try {
      response = await this.http.request<string>({
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
        ...UNTRUSTED_ANSWER,
        ...this.egress,
      });
    } catch (error) {
      if (isTooLarge(error))
        throw new WechatUnavailableError(spec.endpoint, `the answer is larger than ${JSON_ANSWER_LIMIT} bytes`);
      // Axios errors embed the full url and config; keep only a code-level reason.
      throw new TransientFailure(describeTransportError(error), !NEVER_SENT.has((error as { code?: string }).code ?? ''));
    }
    checkStatus(response.status, spec.endpoint);
    const parsed = parseWechatJson(response.data);
    if (parsed === undefined) throw new TransientFailure('answer is not JSON');
    this.throwIfErrcode(parsed, spec.endpoint);
    return parsed as T;
  }

  /** WeChat refused: the errmsg (it can carry this server's IP, or any bytes) goes to the log only. */
  private throwIfErrcode(parsed: Record<string, unknown>, endpoint: string): void {
    const error = errcodeError(parsed, endpoint);
    if (!error) return;
    this.logger.warn(`${endpoint} answered errcode ${error.errcode}: ${error.errmsg.slice(0, 200)}`);
    throw error;
  }

  /**
   * Opens one download: the response is checked, a JSON answer read (bounded) and mapped, and a
   * file handed back unread. The deadline covers connecting, the headers and a JSON answer; a
   * file's body then only has to keep moving (an idle timeout of the same length).
   */
  private async openDownload(endpoint: string, query: Query): Promise<WechatDownload> {
    const abort = new AbortController();
    const deadline = setTimeout(() => abort.abort(), this.options.httpTimeoutMs);
    let response: AxiosResponse<Readable> | undefined;
    try {
      response = await this.http.request<Readable>({
        method: 'GET',
        baseURL: this.options.apiBaseUrl,
        url: `/${endpoint}`,
        params: query,
        timeout: this.options.httpTimeoutMs,
        signal: abort.signal,
        responseType: 'stream',
        validateStatus: () => true,
        ...UNTRUSTED_ANSWER,
        ...this.egress,
        // a file is bounded by the media limit as it streams; only the JSON answers are bounded here
        maxContentLength: -1,
      });
      const answer = await readDownload(endpoint, response, (parsed) => this.throwIfErrcode(parsed, endpoint));
      if (answer.kind === 'file' && answer.file.body === response.data)
        abortWhenIdle(response, abort, this.options.httpTimeoutMs);
      return answer;
    } catch (error) {
      response?.data.destroy();
      if (error instanceof WechatApiError || error instanceof WechatUnavailableError || error instanceof TransientFailure)
        throw error;
      // Axios errors embed the full url and config; keep only a code-level reason.
      throw new TransientFailure(abort.signal.aborted ? 'timed out' : describeTransportError(error));
    } finally {
      clearTimeout(deadline);
    }
  }
}

/** WechatApiError for a non-zero errcode (WeChat sends it as a number or a string), else undefined. */
function errcodeError(parsed: Record<string, unknown>, endpoint: string): WechatApiError | undefined {
  const { errcode, errmsg } = parsed as { errcode?: unknown; errmsg?: unknown };
  const code = typeof errcode === 'string' ? Number(errcode) : errcode;
  if (typeof code !== 'number' || code === 0) return undefined;
  return new WechatApiError(code, typeof errmsg === 'string' ? errmsg : '', endpoint);
}

/**
 * What stands in WeChat's place is not trusted: a redirect is not followed (a 302 once sent the
 * token call elsewhere and its answer was kept as a token), and a JSON answer is read only up to
 * 64 KiB (WeChat's are a few hundred bytes).
 */
const UNTRUSTED_ANSWER = { maxRedirects: 0, maxContentLength: JSON_ANSWER_LIMIT, maxBodyLength: JSON_ANSWER_LIMIT } as const;

function checkStatus(status: number, endpoint: string): void {
  if (status >= 500 || status === 429) throw new TransientFailure(`HTTP ${status}`, status !== 429);
  if (status >= 300 && status < 400)
    throw new WechatUnavailableError(endpoint, `answered a redirect (HTTP ${status}); redirects are not followed`);
  if (status < 200 || status >= 300) throw new WechatUnavailableError(endpoint, `unexpected HTTP ${status}`);
}

const isTooLarge = (error: unknown) => /maxContentLength/.test(String((error as Error)?.message));

/** Tells a download's JSON answer from its file, by the Content-Type and the first bytes. */
async function readDownload(
  endpoint: string,
  response: AxiosResponse<Readable>,
  throwIfErrcode: (parsed: Record<string, unknown>) => void,
): Promise<WechatDownload> {
  checkStatus(response.status, endpoint);
  const body = response.data;
  const contentType = String(response.headers['content-type'] ?? '');
  const contentLength = parseContentLength(response.headers['content-length']);
  const kind = kindOfContentType(contentType);
  if (kind === 'html') throw new TransientFailure('answer is an HTML page');
  const file = (head: StreamHead): WechatDownload => {
    if (!head.ended) body.unshift(head.bytes);
    const bytes = head.ended ? Readable.from([head.bytes], { objectMode: false }) : body;
    const filename = filenameFromDisposition(response.headers['content-disposition']);
    return { kind: 'file', file: { body: bytes, contentType, contentLength, filename } };
  };
  const first = await readHead(body, 0);
  if (!mustReadAsJson(kind, first.bytes, contentLength)) return file(first);
  const whole = first.ended ? first : await readHead(body, JSON_ANSWER_LIMIT, first.bytes);
  const parsed = whole.ended ? parseWechatJson(whole.bytes.toString('utf8')) : undefined;
  if (parsed === undefined) {
    if (kind === 'json') throw new TransientFailure(whole.ended ? 'answer is not JSON' : 'JSON answer too long');
    return file(whole);
  }
  throwIfErrcode(parsed);
  return { kind: 'json', body: parsed };
}

/**
 * A body that stops moving for `idleMs` is aborted (its reader sees an error), not awaited forever,
 * whichever transport axios picked (follow-redirects already drops an idle socket; plain http does not).
 */
function abortWhenIdle(response: AxiosResponse<Readable>, abort: AbortController, idleMs: number): void {
  const request = response.request as ClientRequest | undefined;
  request?.setTimeout?.(idleMs, () => abort.abort());
}

export function describeTransportError(error: unknown): string {
  const e = error as { code?: string; name?: string };
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || e.name === 'CanceledError' || e.code === 'ERR_CANCELED') {
    return 'timed out';
  }
  return e.code ? `connection failed (${e.code})` : 'connection failed';
}
