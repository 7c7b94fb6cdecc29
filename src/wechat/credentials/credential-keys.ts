import { accountKey } from '../../store/account-keys.js';
import type { ResolvedWechatOptions } from '../wechat.options.js';

export type TicketType = 'jsapi' | 'wx_card';

/** Cache keys per AppID; every key of one account shares its hash slot. */
export const accessTokenKey = (o: ResolvedWechatOptions) => accountKey(o.keyPrefix, o.appId, 'access_token');
export const ticketKey = (o: ResolvedWechatOptions, type: TicketType) =>
  accountKey(o.keyPrefix, o.appId, type === 'jsapi' ? 'jsapi_ticket' : 'wx_card_ticket');
