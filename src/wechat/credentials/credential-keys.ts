import type { ResolvedWechatOptions } from '../wechat.options.js';

export type TicketType = 'jsapi' | 'wx_card';

/** Cache keys per AppID, as SPEC section 4 names them. */
export const accessTokenKey = (o: ResolvedWechatOptions) => `${o.keyPrefix}${o.appId}:access_token`;
export const ticketKey = (o: ResolvedWechatOptions, type: TicketType) =>
  `${o.keyPrefix}${o.appId}:${type === 'jsapi' ? 'jsapi_ticket' : 'wx_card_ticket'}`;
