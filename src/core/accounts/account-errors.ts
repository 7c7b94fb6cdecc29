import { Problem } from '../problem.js';

/** An appId that is not configured: 400 `UNKNOWN_ACCOUNT`. */
export class UnknownAccountError extends Problem {
  constructor(readonly appId: string) {
    super(400, 'UNKNOWN_ACCOUNT', 'appId is not one of the configured accounts');
    this.name = 'UnknownAccountError';
  }
}

/** The page's host belongs to several accounts: the caller must name one (400 `ACCOUNT_REQUIRED`). */
export class AccountRequiredError extends Problem {
  constructor(host: string) {
    super(400, 'ACCOUNT_REQUIRED', `host ${host} is a JS domain of several accounts; say which with appId`);
    this.name = 'AccountRequiredError';
  }
}
