import { Inject, Injectable } from '@nestjs/common';
import { HttpProblem } from '../../common/http-problem.js';
import { TicketService } from '../credentials/ticket.service.js';
import { WechatEvents } from '../wechat-events.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../wechat.options.js';
import { createNonce } from './nonce.js';
import { checkPageUrl } from './page-url.js';
import { cardSignature, jsapiSignature } from './signature.js';

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

/** Builds what a page passes to `wx.config` / `wx.chooseCard`. The ticket never leaves. */
@Injectable()
export class SignatureService {
  constructor(
    private readonly tickets: TicketService,
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
    private readonly events: WechatEvents,
  ) {}

  /**
   * Signs `url` for wx.config. Throws HttpProblem 400 (INVALID_URL, DOMAIN_NOT_ALLOWED) for a
   * url that must not be signed, before any call to WeChat.
   */
  async signConfig(url: unknown, opts: WxConfigOptions = {}): Promise<WxConfig> {
    return this.configFor(url, opts);
  }

  /**
   * signConfig without the promise when the ticket is in memory (the common case): the
   * built-in route answers from it synchronously. Throws like signConfig.
   */
  configFor(url: unknown, opts: WxConfigOptions = {}): WxConfig | Promise<WxConfig> {
    const checked = checkPageUrl(url, this.options.jsDomains);
    if (!checked.ok) throw new HttpProblem(400, checked.code, checked.message);
    const ticket = this.tickets.peekTicket('jsapi');
    if (ticket !== undefined) return this.wxConfig(ticket, checked.signable, opts);
    return this.tickets.getJsapiTicket().then((fetched) => this.wxConfig(fetched, checked.signable, opts));
  }

  private wxConfig(ticket: string, url: string, opts: WxConfigOptions): WxConfig {
    const nonceStr = createNonce();
    const timestamp = unixSeconds();
    this.events.signature('jsapi');
    return {
      appId: this.options.appId,
      timestamp,
      nonceStr,
      signature: jsapiSignature({ ticket, nonceStr, timestamp, url }),
      jsApiList: opts.jsApiList ?? [],
      openTagList: opts.openTagList ?? [],
      debug: opts.debug ?? false,
    };
  }

  /** Parameters of wx.chooseCard, signed with the wx_card api_ticket (app_id included). */
  async signChooseCard(params: ChooseCardParams = {}): Promise<ChooseCardConfig> {
    const ticket = await this.tickets.getCardTicket();
    const nonceStr = createNonce();
    const timestamp = unixSeconds();
    const shopId = params.shopId ?? '';
    const cardType = params.cardType ?? '';
    const cardId = params.cardId ?? '';
    this.events.signature('card');
    const cardSign = cardSignature([ticket, this.options.appId, shopId, timestamp, nonceStr, cardId, cardType]);
    return { shopId, cardType, cardId, timestamp, nonceStr, signType: 'SHA1', cardSign };
  }
}
