import type { WechatAccount, WechatAccounts } from '../accounts/wechat-accounts.js';
import { Problem } from '../problem.js';
import { credentialWindows } from './credential-windows.js';
import type { StoredCredential } from './credential-store.js';
import type { RefreshBudget } from './refresh-budget.js';
import { accountKey } from '../account-keys.js';
import { isCredentialKind, ticketTypeOf, type CredentialKind, type IssuedCredential } from './credential-kinds.js';
import type { ReportedTokenCheck } from './reported-token-check.js';

/** What a report may cost: a check with WeChat, and at most `maxPerHour` refreshes per account. */
export interface ReportRules {
  check: ReportedTokenCheck;
  budget: RefreshBudget;
  keyPrefix: string;
  maxPerHour: number;
  /** says why a report was not acted on (no value, no secret) */
  log: { warn(message: string): void; error(message: string): void };
}

/**
 * The central server's counter: hands other services the credentials of the accounts
 * this service holds, from the same cluster-safe cache signing uses, and takes their reports of a
 * token WeChat rejected. Knows nothing of HTTP; the routes are a thin layer over it.
 */
export class CredentialDesk {
  constructor(
    private readonly accounts: WechatAccounts,
    private readonly reports: ReportRules,
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
   * A consumer saw WeChat reject `value` (40001/40014/42001). Believed only when `value` is still
   * the current token and WeChat confirms it rejects it; then the token is replaced under the
   * cluster-wide lock (one refresh however many report it), within the account's hourly budget
   * (429 `REFRESH_BUDGET_EXHAUSTED` past it). Answers the current token either way.
   */
  async reportInvalid(appId: string, value: unknown): Promise<IssuedCredential> {
    const account = this.account(appId);
    if (typeof value !== 'string' || value.length === 0 || value.length > 512)
      throw new Problem(400, 'VALIDATION_FAILED', 'value must be the rejected access_token (1-512 characters)');
    const current = await account.tokens.current();
    // a value already replaced (or never handed out) costs nothing
    if (current.value !== value) return this.issue(appId, 'access_token', current);
    if (!(await this.reports.check.confirmsRejected(appId, value))) {
      this.reports.log.warn(`WeChat still accepts the reported access_token of ${appId}; it is kept`);
      return this.issue(appId, 'access_token', current);
    }
    const replaced = await account.tokens.replaceCurrent(value, () => this.spendReportBudget(appId));
    return this.issue(appId, 'access_token', replaced);
  }

  private async spendReportBudget(appId: string): Promise<void> {
    const { budget, keyPrefix, maxPerHour, log } = this.reports;
    const rule = { name: 'reported-token refresh', max: maxPerHour, windowMs: 3_600_000 };
    try {
      await budget.spend(accountKey(keyPrefix, appId, 'access_token:report-refreshes'), rule);
    } catch (error) {
      log.error(`refused to refresh the access_token of ${appId} for a report: ${(error as Error).message}`);
      throw error;
    }
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
