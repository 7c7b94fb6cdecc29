import { accountKey } from '../account-keys.js';

export type TicketType = 'jsapi' | 'wx_card';

/** Cache keys per AppID; every key of one account shares its hash slot. */
export const accessTokenKey = (keyPrefix: string, appId: string) => accountKey(keyPrefix, appId, 'access_token');
export const ticketKey = (keyPrefix: string, appId: string, type: TicketType) =>
  accountKey(keyPrefix, appId, type === 'jsapi' ? 'jsapi_ticket' : 'wx_card_ticket');
/** The count of force_refresh calls an account made in the current day's window. */
export const forceRefreshKey = (keyPrefix: string, appId: string) => accountKey(keyPrefix, appId, 'access_token:force-refreshes');
