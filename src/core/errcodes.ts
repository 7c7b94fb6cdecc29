/** How a WeChat errcode should be handled by the caller. */
export type ErrcodeKind = 'token-invalid' | 'transient' | 'fatal';

const TOKEN_INVALID = new Set([40001, 40014, 42001]);
const TRANSIENT = new Set([-1]);

export function isTokenInvalidErrcode(errcode: number): boolean {
  return TOKEN_INVALID.has(errcode);
}

export function classifyErrcode(errcode: number): ErrcodeKind {
  if (TOKEN_INVALID.has(errcode)) return 'token-invalid';
  if (TRANSIENT.has(errcode)) return 'transient';
  return 'fatal';
}

const HINTS: Record<number, string> = {
  [-1]: 'WeChat is busy; retried without success',
  40001: 'access_token invalid or not latest (or a wrong AppSecret on the token call)',
  40002: 'invalid grant_type',
  40013: 'invalid AppID: check WECHAT_APP_ID',
  40125: 'invalid AppSecret: check WECHAT_APP_SECRET',
  40164: "this server's egress IP is not on the account's IP whitelist",
  41002: 'AppID missing: check WECHAT_APP_ID',
  41004: 'AppSecret missing: check WECHAT_APP_SECRET',
  45009: "the API's daily quota is used up; it resets at midnight (Beijing time) or through cgi-bin/clear_quota",
  45011: 'per-minute quota reached; slow down and retry next minute',
  48001: 'the account is not authorised for this API',
  89501: "the server's IP is waiting for the administrator's confirmation",
  89503: "the server's IP needs the administrator's confirmation",
  89506: "the server's IP was refused twice; blocked for 24 hours",
  89507: "the server's IP was refused; blocked for 1 hour",
};

export function errcodeHint(errcode: number): string | undefined {
  return HINTS[errcode];
}
