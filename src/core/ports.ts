import type { Readable } from 'node:stream';

/**
 * The core's ports: what it needs of the world, as small interfaces the edges implement. The shared
 * store's port is `WechatStore` (wechat-store.ts); a media storage's is `MediaStorage`.
 */

/** Query parameters of a call to WeChat. */
export type Query = Record<string, string | number | undefined>;

/** A file WeChat is sending: the body is paused and unread; read it to the end or destroy it. */
export interface WechatFile {
  body: Readable;
  contentType: string;
  /** Content-Length as announced, when it was */
  contentLength?: number;
  /** the name in Content-disposition, when a safe one was given */
  filename?: string;
}

/** What a download answered: a file, or a JSON object without errcode (a video's `video_url`). */
export type WechatDownload = { kind: 'file'; file: WechatFile } | { kind: 'json'; body: Record<string, unknown> };

/** Which account a call to WeChat is made for (metrics label it). */
export interface CallContext {
  appId: string;
  /**
   * false for a call that must not take effect twice (a message sent to a user): it is repeated only
   * after a failure that shows WeChat never acted on it (no connection, 429, errcode -1), never after
   * one that leaves it unknown (a timeout, a reset, HTTP 5xx, an unreadable answer). Default true.
   */
  repeatable?: boolean;
}

/**
 * HTTP to WeChat's API. An errcode answer rejects with WechatApiError, an unreachable or failing
 * WeChat (after the transport's own retries) with WechatUnavailableError.
 */
export interface Transport {
  get<T extends object>(endpoint: string, query: Query, context?: CallContext): Promise<T>;
  post<T extends object>(endpoint: string, body: unknown, query?: Query, context?: CallContext): Promise<T>;
  download(endpoint: string, query: Query, context?: CallContext): Promise<WechatDownload>;
}

/** An HTTP answer read whole (the transport bounds its size and time); header names in lower case. */
export interface HttpAnswer {
  status: number;
  headers: Readonly<Record<string, string | undefined>>;
  body: string;
}

/**
 * Plain HTTP, for calls whose exact bytes matter: WeChat Pay (signed over the raw request and
 * answer) and the message webhook (signed JSON). Every HTTP status is an answer; no answer at all
 * (unreachable, too slow, too large) rejects with the error the transport was built to give.
 */
export interface PlainHttp {
  send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer>;
}

/** Where the core writes what an operator should know; never a secret. Nest's Logger fits as it is. */
export interface Logger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Milliseconds since the epoch; tests pass their own. */
export type Clock = () => number;

/** A logger that drops everything (unit tests, hosts that log elsewhere). */
export const SILENT: Logger = { log: () => undefined, warn: () => undefined, error: () => undefined };
