import { randomBytes } from 'node:crypto';

/** errmsg texts as WeChat returns them. */
export const WECHAT_ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40007: 'invalid media_id',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40030: 'invalid refresh_token',
  40035: 'invalid parameter',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  40163: 'code been used',
  40164: 'invalid ip, not in whitelist',
  41001: 'access_token missing',
  41002: 'appid missing',
  41003: 'refresh_token missing',
  41004: 'appsecret missing',
  41006: 'media_id missing',
  41008: 'missing code',
  41009: 'missing openid',
  42001: 'access_token expired',
  42002: 'refresh_token expired',
  42003: 'code expired',
  43001: 'require GET method',
  43002: 'require POST method',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit mustslower retry next minute',
  46001: 'media data no exist',
  47001: 'data format error',
  48001: 'api unauthorized',
};

export interface WechatError {
  errcode: number;
  errmsg: string;
}

export function wechatError(errcode: number, errmsg?: string): WechatError {
  return { errcode, errmsg: errmsg ?? WECHAT_ERRMSG[errcode] ?? 'unknown error' };
}

/** Real servers append a request id; clients must not match on the exact errmsg. */
export function withRid(err: WechatError): WechatError {
  const hex = () => randomBytes(4).toString('hex');
  return { errcode: err.errcode, errmsg: `${err.errmsg} rid: ${hex()}-${hex()}-${hex()}` };
}
