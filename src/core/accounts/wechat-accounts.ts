import type { CredentialSource } from '../credentials/credential-source.js';
import type { CredentialCache } from '../credentials/credential-cache.js';
import { accessTokenKey, forceRefreshKey, ticketKey } from '../credentials/credential-keys.js';
import type { RefreshBudget } from '../credentials/refresh-budget.js';
import { hostKey, isHostAllowed } from '../jssdk/page-url.js';
import type { WechatEventListener } from '../events.js';
import type { WechatAccountSettings } from './account-config.js';
import { AccountRequiredError, UnknownAccountError } from './account-errors.js';
import { AccountOAuth, type OAuthSettings } from '../oauth/account-oauth.js';
import { AccountSigner } from '../jssdk/account-signer.js';
import { AccountTickets } from '../credentials/account-tickets.js';
import { AccountTokens } from '../credentials/account-tokens.js';
import type { Logger, Transport } from '../ports.js';
import { AccountMedia } from '../media/account-media.js';
import { AccountPay } from '../pay/account-pay.js';
import { AccountMessages } from '../messages/account-messages.js';
import type { PayService } from '../pay/pay-service.js';
import { diagnoseSignature } from '../jssdk/account-diagnosis.js';
import type { DiagnoseInput, Diagnosis } from '../jssdk/diagnosis.js';
import type { MediaService } from '../media/media.service.js';

/** What every account shares: the way to WeChat, the credential cache, the event hub. */
export interface AccountsDeps {
  transport: Transport;
  cache: CredentialCache;
  /** counts the scarce refreshes (force_refresh) of every account, cluster-wide */
  budget: RefreshBudget;
  events: Pick<WechatEventListener, 'signature'>;
  keyPrefix: string;
  log: Logger;
  /** a central credential server to read tokens and tickets from instead of WeChat */
  source?: CredentialSource;
}

/** One Official Account's services, built from its settings and the shared seams. */
export class WechatAccount {
  readonly appId: string;
  readonly jsDomains: readonly string[];
  readonly tokens: AccountTokens;
  readonly tickets: AccountTickets;
  readonly signature: AccountSigner;
  /** customer-service messages to this account's users */
  readonly messages: AccountMessages;
  private oauthPart?: AccountOAuth;

  private mediaPart?: AccountMedia;
  private payPart?: AccountPay;

  constructor(
    private readonly settings: WechatAccountSettings,
    private readonly deps: AccountsDeps,
    private readonly oauthSettings: () => OAuthSettings | undefined,
    private readonly mediaLibrary: () => MediaService | undefined = () => undefined,
    private readonly payLibrary: () => PayService | undefined = () => undefined,
  ) {
    const { appId } = settings;
    this.appId = appId;
    this.jsDomains = settings.jsDomains;
    const { keyPrefix, transport, cache, source } = deps;
    const limits = { budget: deps.budget, forceKey: forceRefreshKey(keyPrefix, appId) };
    this.tokens = new AccountTokens(settings, accessTokenKey(keyPrefix, appId), transport, cache, deps.log, limits, source);
    const ticketKeys = { jsapi: ticketKey(keyPrefix, appId, 'jsapi'), wx_card: ticketKey(keyPrefix, appId, 'wx_card') };
    this.tickets = new AccountTickets(appId, ticketKeys, transport, this.tokens, cache, source);
    this.signature = new AccountSigner(settings, this.tickets, deps.events);
    this.messages = new AccountMessages(appId, this.tokens, transport);
  }

  /** Web authorization for this account; needs OAuthModule (it supplies the callback url and scope). */
  get oauth(): AccountOAuth {
    if (this.oauthPart) return this.oauthPart;
    const settings = this.oauthSettings();
    if (!settings) throw new Error('WechatAccounts: OAuth needs OAuthModule.forRoot(...) in the application');
    return (this.oauthPart = new AccountOAuth(this.settings, this.deps.transport, settings));
  }

  /** This account's saved media; needs MediaModule.forRoot(...) in the application. */
  get media(): AccountMedia {
    if (this.mediaPart) return this.mediaPart;
    const library = this.mediaLibrary();
    if (!library) throw new Error('WechatAccounts: media needs MediaModule.forRoot(...) in the application');
    return (this.mediaPart = new AccountMedia(library, this.appId));
  }

  /** This account's JSAPI pay; needs PayModule.forRoot(...) in the application. */
  get pay(): AccountPay {
    if (this.payPart) return this.payPart;
    const service = this.payLibrary();
    if (!service) throw new Error('WechatAccounts: pay needs PayModule.forRoot(...) in the application');
    return (this.payPart = new AccountPay(service, this.appId));
  }
}

const MAX_REMEMBERED_HOSTS = 1024;
const ABSOLUTE_HTTP = /^https?:\/\//i;

/**
 * The registry of configured accounts: `get(appId)` (none: the default account), and the choice
 * of account for a page: the one whose jsDomains name the page's host, else the default. An
 * account's services are built on first use, so a thousand configured accounts cost little.
 */
export class WechatAccounts {
  readonly default: WechatAccount;
  private readonly settings = new Map<string, WechatAccountSettings>();
  private readonly built = new Map<string, WechatAccount>();
  private readonly exactHosts = new Map<string, string[]>();
  private readonly wildcards: { pattern: string[]; appId: string }[] = [];
  private readonly chosen = new Map<string, string | AccountRequiredError>();
  private oauthSettings?: OAuthSettings;
  private media?: MediaService;
  private payService?: PayService;

  constructor(
    accounts: readonly WechatAccountSettings[],
    private readonly deps: AccountsDeps,
  ) {
    if (accounts.length === 0) throw new Error('WechatAccounts: at least one account is needed');
    for (const account of accounts) {
      this.settings.set(account.appId, account);
      for (const domain of account.jsDomains) {
        if (domain.startsWith('*.')) this.wildcards.push({ pattern: [domain], appId: account.appId });
        else this.exactHosts.set(domain, [...(this.exactHosts.get(domain) ?? []), account.appId]);
      }
    }
    this.default = this.get(accounts[0]!.appId);
  }

  get size(): number {
    return this.settings.size;
  }

  /** The configured appIds, the default first. */
  appIds(): string[] {
    return [...this.settings.keys()];
  }

  has(appId: string): boolean {
    return this.settings.has(appId);
  }

  /** That account's services; none given: the default account. Unknown: UnknownAccountError (400). */
  get(appId?: string): WechatAccount {
    if (appId === undefined) return this.default;
    const ready = this.built.get(appId);
    if (ready) return ready;
    const settings = this.settings.get(appId);
    if (!settings) throw new UnknownAccountError(appId);
    const account = new WechatAccount(
      settings,
      this.deps,
      () => this.oauthSettings,
      () => this.media,
      () => this.payService,
    );
    this.built.set(appId, account);
    return account;
  }

  /** An explicit appId when given, else the account for the page `url` (signing), else the default. */
  select(appId: string | undefined, url?: unknown): WechatAccount {
    if (appId !== undefined) return this.get(appId);
    return url === undefined ? this.default : this.forPage(url);
  }

  /**
   * The one account whose jsDomains name the page's host (an exact host or a `*.` pattern),
   * else the default account. Several: AccountRequiredError (400). A url that cannot be read
   * goes to the default account, whose signer then says what is wrong with it.
   */
  forPage(url: unknown): WechatAccount {
    if (this.settings.size === 1 || typeof url !== 'string' || !ABSOLUTE_HTTP.test(url)) return this.default;
    const key = hostKey(url);
    let choice = key === undefined ? undefined : this.chosen.get(key);
    if (choice === undefined) {
      choice = this.choose(url);
      if (key !== undefined) {
        if (this.chosen.size >= MAX_REMEMBERED_HOSTS) this.chosen.clear();
        this.chosen.set(key, choice);
      }
    }
    if (typeof choice !== 'string') throw choice;
    return this.get(choice);
  }

  /** Called by OAuthModule: the callback url and scope every account's login uses. */
  useOAuth(settings: OAuthSettings): void {
    this.oauthSettings = settings;
  }

  /**
   * Why `wx.config` failed for a page, from what the page saw: the signatures this service could
   * have made, against the page's account and the others'. Calls no WeChat API, reveals no ticket.
   */
  diagnose(input: DiagnoseInput, nowSec = Math.floor(Date.now() / 1000)): Promise<Diagnosis> {
    return diagnoseSignature(this, input, nowSec);
  }

  /** Called by MediaModule: the library every account's `media` goes through. */
  useMedia(media: MediaService): void {
    this.media = media;
  }

  /** Called by PayModule: the merchant every account's `pay` goes through. */
  usePay(pay: PayService): void {
    this.payService = pay;
  }

  private choose(url: string): string | AccountRequiredError {
    let host: string;
    try {
      host = new URL(url).hostname.toLowerCase();
    } catch {
      return this.default.appId;
    }
    const matches = new Set(this.exactHosts.get(host) ?? []);
    for (const { pattern, appId } of this.wildcards) if (isHostAllowed(host, pattern)) matches.add(appId);
    if (matches.size > 1) return new AccountRequiredError(host);
    return matches.size === 1 ? [...matches][0]! : this.default.appId;
  }
}
