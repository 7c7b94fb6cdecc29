import type { Query, WechatDownload } from '../wechat/api/wechat-api.client.js';

/** Which account a call to WeChat is made for (metrics label it). */
export interface CallContext {
  appId: string;
}

/** The seam to WeChat's HTTP API that the account classes use (WechatApiClient implements it). */
export interface WechatTransport {
  get<T extends object>(endpoint: string, query: Query, context?: CallContext): Promise<T>;
  post<T extends object>(endpoint: string, body: unknown, query?: Query, context?: CallContext): Promise<T>;
  download(endpoint: string, query: Query, context?: CallContext): Promise<WechatDownload>;
}

/** Where the account classes write their warnings. */
export interface AccountLog {
  warn(message: string): void;
}
