import { Problem } from '../problem.js';
import type { WechatEventListener } from '../events.js';
import { createNonce } from './nonce.js';
import { checkPageUrl } from './page-url.js';
import { cardSignature, jsapiSignature } from './signature.js';
import type { WechatAccountSettings } from '../accounts/account-config.js';
import type { AccountTickets } from '../credentials/account-tickets.js';

export interface WxConfig {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
  jsApiList: string[];
  openTagList: string[];
  debug: boolean;
}

export interface WxConfigOptions {
  jsApiList?: string[];
  openTagList?: string[];
  debug?: boolean;
}

export interface ChooseCardParams {
  shopId?: string;
  cardType?: string;
  cardId?: string;
}

export interface ChooseCardConfig {
  shopId: string;
  cardType: string;
  cardId: string;
  timestamp: number;
  nonceStr: string;
  signType: 'SHA1';
  cardSign: string;
}

const unixSeconds = () => Math.floor(Date.now() / 1000);

/** One account's `wx.config` and `wx.chooseCard` parameters. The ticket never leaves. */
export class AccountSigner {
  constructor(
    private readonly account: WechatAccountSettings,
    private readonly tickets: AccountTickets,
    private readonly events: Pick<WechatEventListener, 'signature'>,
  ) {}

  /**
   * Signs `url` for wx.config: synchronously when the ticket is in memory (the common case),
   * else once it is fetched. Throws Problem 400 (INVALID_URL, DOMAIN_NOT_ALLOWED) for a url
   * that must not be signed, before any call to WeChat.
   */
  configFor(url: unknown, opts: WxConfigOptions = {}): WxConfig | Promise<WxConfig> {
    const checked = checkPageUrl(url, this.account.jsDomains);
    if (!checked.ok) throw new Problem(400, checked.code, checked.message);
    const ticket = this.tickets.peekTicket('jsapi');
    if (ticket !== undefined) return this.wxConfig(ticket, checked.signable, opts);
    return this.tickets.getJsapiTicket().then((fetched) => this.wxConfig(fetched, checked.signable, opts));
  }

  /** Parameters of wx.chooseCard, signed with the wx_card api_ticket (app_id included). */
  async signChooseCard(params: ChooseCardParams = {}): Promise<ChooseCardConfig> {
    const ticket = await this.tickets.getCardTicket();
    const nonceStr = createNonce();
    const timestamp = unixSeconds();
    const shopId = params.shopId ?? '';
    const cardType = params.cardType ?? '';
    const cardId = params.cardId ?? '';
    this.events.signature('card', this.account.appId);
    const cardSign = cardSignature([ticket, this.account.appId, shopId, timestamp, nonceStr, cardId, cardType]);
    return { shopId, cardType, cardId, timestamp, nonceStr, signType: 'SHA1', cardSign };
  }

  private wxConfig(ticket: string, url: string, opts: WxConfigOptions): WxConfig {
    const nonceStr = createNonce();
    const timestamp = unixSeconds();
    this.events.signature('jsapi', this.account.appId);
    return {
      appId: this.account.appId,
      timestamp,
      nonceStr,
      signature: jsapiSignature({ ticket, nonceStr, timestamp, url }),
      jsApiList: opts.jsApiList ?? [],
      openTagList: opts.openTagList ?? [],
      debug: opts.debug ?? false,
    };
  }
}
