import type { WechatAccount, WechatAccounts } from '../accounts/wechat-accounts.js';
import { Problem } from '../common/problem.js';
import { credentialWindows } from '../wechat/credentials/credential-windows.js';
import type { StoredCredential } from '../wechat/credentials/credential-store.js';
import { isCredentialKind, ticketTypeOf, type CredentialKind, type IssuedCredential } from './credential-kinds.js';

/**
 * The central server's counter (SPEC 3.5): hands other services the credentials of the accounts
 * this service holds, from the same cluster-safe cache signing uses, and takes their reports of a
 * token WeChat rejected. Knows nothing of HTTP; the routes are a thin layer over it.
 */
export class CredentialDesk {
  constructor(
    private readonly accounts: WechatAccounts,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The current credential: at once when this process holds it, else a promise (the shared tier,
   * then WeChat under the lock). 404 `UNKNOWN_ACCOUNT` / `UNKNOWN_KIND` for what is not served here.
   */
  read(appId: string, kind: string): IssuedCredential | Promise<IssuedCredential> {
    const account = this.account(appId);
    if (!isCredentialKind(kind)) throw unknownKind();
    const held = kind === 'access_token' ? account.tokens.peekCurrent() : account.tickets.peekCurrent(ticketTypeOf(kind));
    if (held) return this.issue(appId, kind, held);
    const stored = kind === 'access_token' ? account.tokens.current() : account.tickets.current(ticketTypeOf(kind));
    return stored.then((credential) => this.issue(appId, kind, credential));
  }

  /**
   * A consumer saw WeChat reject `value` (40001/40014/42001). If it is still the cached token it is
   * replaced under the cluster-wide lock, so any number of reports of one value cause one refresh;
   * a value already replaced costs nothing. Answers the current token either way.
   */
  async reportInvalid(appId: string, value: unknown): Promise<IssuedCredential> {
    const account = this.account(appId);
    if (typeof value !== 'string' || value.length === 0 || value.length > 512)
      throw new Problem(400, 'VALIDATION_FAILED', 'value must be the rejected access_token (1-512 characters)');
    return this.issue(appId, 'access_token', await account.tokens.replaceCurrent(value));
  }

  private account(appId: string): WechatAccount {
    if (!this.accounts.has(appId)) throw new Problem(404, 'UNKNOWN_ACCOUNT', 'appId is not one of the configured accounts');
    return this.accounts.get(appId);
  }

  private issue(appId: string, kind: CredentialKind, stored: StoredCredential): IssuedCredential {
    const expiresAt = Math.floor(credentialWindows(stored).usableUntil);
    return {
      appId,
      kind,
      value: stored.value,
      expiresAt,
      expiresIn: Math.max(0, Math.floor((expiresAt - this.now()) / 1000)),
    };
  }
}

const unknownKind = () => new Problem(404, 'UNKNOWN_KIND', 'kind must be access_token, jsapi_ticket or wx_card_ticket');
