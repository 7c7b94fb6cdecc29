// The browser helper (nest-wechat-h5/browser, also served at GET /wechat/jssdk/client.js): configures
// WeChat's JS-SDK with a signature from this service, the way WeChat checks it, and pays the service's
// orders through WeChat Pay. No dependencies.

/** As much of WeChat's `wx` (jweixin) as the helper uses. */
export interface WxLike {
  config(config: object): void;
  ready(callback: () => void): void;
  error(callback: (result: { errMsg: string }) => void): void;
}

export interface ConfigureOptions {
  /** the JS APIs the page will call, e.g. ['updateAppMessageShareData'] */
  jsApiList: string[];
  openTagList?: string[];
  /** where the service's JS-SDK routes are mounted; default '/wechat/jssdk' (same origin) */
  endpoint?: string;
  /** the account, when the service cannot tell it from the page's host */
  appId?: string;
  /** WeChat's own debug alerts */
  debug?: boolean;
  /** configure again after history.pushState/replaceState/popstate where WeChat needs it (default true) */
  resignOnRouteChange?: boolean;
  /** told about a failed re-configuration after a route change (default: console.warn) */
  onRouteError?: (error: WechatConfigError) => void;
  /** the wx object; default window.wx */
  wx?: WxLike;
}

/** What the service's /diagnose said about a failed configuration. */
export interface SignatureDiagnosis {
  ok: boolean;
  findings: { code: string; message: string }[];
}

/** A failed wx.config: WeChat's errMsg, and the service's diagnosis when it could be asked. */
export class WechatConfigError extends Error {
  constructor(
    readonly errMsg: string,
    readonly diagnosis?: SignatureDiagnosis,
  ) {
    super(diagnosis?.findings[0] ? `${errMsg}: ${diagnosis.findings[0].message}` : errMsg);
    this.name = 'WechatConfigError';
  }
}

interface SignedConfig {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
  jsApiList: string[];
  openTagList: string[];
}

/** The url the page was entered with: iOS WeChat checks signatures against it even after pushState. */
const entryUrl = location.href;

/** True in WeChat on iPhone and iPad, where the entry url is the one checked. */
export function isIosWechat(userAgent: string = navigator.userAgent): boolean {
  return /MicroMessenger/i.test(userAgent) && /iPhone|iPad|iPod/i.test(userAgent);
}

/** The url WeChat will check for this page now: the entry url on iOS WeChat, else the current one, without #. */
export function urlToSign(ios: boolean = isIosWechat()): string {
  return (ios ? entryUrl : location.href).split('#')[0]!;
}

/** The jsApiList of the configuration in force: set on wx.ready, cleared when another configuration starts. */
let configuredApis: readonly string[] = [];
let pending: { resolve: () => void; reject: (result: { errMsg: string }) => void } | undefined;
let hooked: WxLike | undefined;
let watching = false;
/** One configuration at a time: wx.ready and wx.error cannot tell which wx.config they answer. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Signs the right url with the service and runs wx.config: resolves on wx.ready, rejects on
 * wx.error with a WechatConfigError. On `invalid signature` it tries once more with the other
 * url (entry vs current), then asks the service's /diagnose what went wrong before rejecting.
 */
export function configureWechat(options: ConfigureOptions): Promise<void> {
  const run = queue.then(() => configureNow(options));
  queue = run.catch(() => undefined);
  return run;
}

function configureNow(options: ConfigureOptions): Promise<void> {
  const wx = options.wx ?? (globalThis as unknown as { wx?: WxLike }).wx;
  configuredApis = [];
  if (!wx) return Promise.reject(new WechatConfigError('config:wx is not loaded (include jweixin-1.6.0.js first)'));
  const endpoint = (options.endpoint ?? '/wechat/jssdk').replace(/\/+$/, '');
  const ios = isIosWechat();
  if (options.resignOnRouteChange !== false && !ios) watchRoutes(options);
  const first = urlToSign(ios);
  const other = (ios ? location.href : entryUrl).split('#')[0]!;
  return attempt(wx, endpoint, options, first).catch(async (failure: { errMsg: string; signed?: SignedConfig }) => {
    const invalid = /invalid signature/i.test(failure.errMsg);
    if (invalid && other !== first) {
      try {
        return await attempt(wx, endpoint, options, other);
      } catch (second) {
        failure = second as typeof failure;
      }
    }
    throw new WechatConfigError(failure.errMsg, invalid ? await diagnose(endpoint, failure.signed, first) : undefined);
  });
}

async function attempt(wx: WxLike, endpoint: string, options: ConfigureOptions, url: string): Promise<void> {
  let signed: SignedConfig;
  try {
    const response = await fetch(`${endpoint}/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store',
      body: JSON.stringify({ url, jsApiList: options.jsApiList, openTagList: options.openTagList ?? [], appId: options.appId }),
    });
    const body = (await response.json()) as SignedConfig & { code?: string; message?: string };
    if (!response.ok)
      throw { errMsg: `config:the service refused to sign (${body.code ?? response.status}: ${body.message ?? ''})` };
    signed = body;
  } catch (error) {
    throw 'errMsg' in (error as object) ? error : { errMsg: 'config:the service could not be reached' };
  }
  hook(wx);
  await new Promise<void>((resolve, reject) => {
    pending = { resolve, reject: (result) => reject({ errMsg: result.errMsg, signed }) };
    wx.config({ ...signed, debug: options.debug ?? false });
  });
  configuredApis = Array.isArray(signed.jsApiList) ? [...signed.jsApiList] : [];
}

/** wx.ready and wx.error take callbacks for every later config too: registered once, they settle the attempt under way. */
function hook(wx: WxLike): void {
  if (hooked === wx) return;
  hooked = wx;
  wx.ready(() => {
    const current = pending;
    pending = undefined;
    current?.resolve();
  });
  wx.error((result) => {
    const current = pending;
    pending = undefined;
    current?.reject(result);
  });
}

async function diagnose(
  endpoint: string,
  signed: SignedConfig | undefined,
  signedUrl: string,
): Promise<SignatureDiagnosis | undefined> {
  try {
    const response = await fetch(`${endpoint}/diagnose`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({
        url: location.href,
        entryUrl,
        signedUrl,
        userAgent: navigator.userAgent,
        ...(signed
          ? { appId: signed.appId, timestamp: signed.timestamp, nonceStr: signed.nonceStr, signature: signed.signature }
          : {}),
      }),
    });
    return response.ok ? ((await response.json()) as SignatureDiagnosis) : undefined;
  } catch {
    return undefined;
  }
}

/** Outside iOS WeChat the current url is checked: after each route change the page is configured again. */
function watchRoutes(options: ConfigureOptions): void {
  if (watching) return;
  watching = true;
  let last = location.href.split('#')[0];
  const again = () => {
    const now = location.href.split('#')[0];
    if (now === last) return;
    last = now;
    configureWechat({ ...options, resignOnRouteChange: false }).catch(options.onRouteError ?? ((error) => console.warn(error)));
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method].bind(history);
    history[method] = (...args: Parameters<History['pushState']>) => {
      original(...args);
      again();
    };
  }
  addEventListener('popstate', again);
}

/** What POST /wechat/pay/orders answers: the order, and its pay parameters in both of WeChat's shapes. */
interface ServiceOrder {
  outTradeNo: string;
  bridgeConfig: Record<string, string>;
  sdkConfig: Record<string, string>;
}

interface PayOptions {
  /** where the service's pay routes are mounted; default '/wechat/pay' (same origin) */
  endpoint?: string;
  /** default: 'sdk' when the helper configured wx with 'chooseWXPay', else 'bridge' */
  via?: 'sdk' | 'bridge';
  /** how long to wait for WeixinJSBridgeReady (default 5000 ms) */
  bridgeTimeoutMs?: number;
  /** order state reads after the page's ok (default 6, backing off from 250 ms to 2 s) */
  confirmAttempts?: number;
}

/** paid: the service saw SUCCESS; unconfirmed: WeChat said ok but the service did not (yet) say SUCCESS. */
interface PayOutcome {
  status: 'paid' | 'cancelled' | 'failed' | 'unconfirmed';
  state?: string;
  errMsg?: string;
}

type Asked = PayOutcome | 'ok';
type Bridge = { invoke(name: string, params: object, callback: (r: { err_msg?: string; err_desc?: string }) => void): void };

/**
 * Pays an order of the service: wx.chooseWXPay with its sdkConfig when wx is configured for it, else
 * WeixinJSBridge's getBrandWCPayRequest with its bridgeConfig. The page's ok is not proof of payment:
 * the order's state is then read from the service until it says SUCCESS, a bounded number of times.
 */
export async function payWithWechat(order: ServiceOrder, options: PayOptions = {}): Promise<PayOutcome> {
  const viaSdk = options.via ? options.via === 'sdk' : configuredApis.includes('chooseWXPay');
  const asked = viaSdk
    ? await chooseWXPay(order.sdkConfig)
    : await brandWCPayRequest(order.bridgeConfig, options.bridgeTimeoutMs);
  if (asked !== 'ok') return asked;
  const endpoint = (options.endpoint ?? '/wechat/pay').replace(/\/+$/, '');
  return confirmPaid(`${endpoint}/orders/${encodeURIComponent(order.outTradeNo)}`, options.confirmAttempts ?? 6);
}

function chooseWXPay(config: object): Promise<Asked> {
  const wx = (globalThis as unknown as { wx?: { chooseWXPay?: (o: object) => void } }).wx;
  if (typeof wx?.chooseWXPay !== 'function')
    return Promise.resolve({ status: 'failed', errMsg: 'chooseWXPay:fail wx is not loaded' });
  type R = { errMsg?: string } | undefined;
  return new Promise((resolve) =>
    wx.chooseWXPay!({
      ...config,
      success: () => resolve('ok'),
      cancel: (r: R) => resolve({ status: 'cancelled', errMsg: r?.errMsg ?? 'chooseWXPay:cancel' }),
      fail: (r: R) => resolve({ status: 'failed', errMsg: r?.errMsg ?? 'chooseWXPay:fail' }),
    }),
  );
}

async function brandWCPayRequest(config: object, timeoutMs = 5000): Promise<Asked> {
  const bridge = await weixinBridge(timeoutMs);
  if (!bridge) return { status: 'failed', errMsg: 'get_brand_wcpay_request:fail WeixinJSBridge is not ready (not in WeChat?)' };
  return new Promise((resolve) =>
    bridge.invoke('getBrandWCPayRequest', config, (r) => {
      const errMsg = r?.err_msg ?? 'get_brand_wcpay_request:fail';
      if (/:ok$/.test(errMsg)) resolve('ok');
      else if (/:cancel$/.test(errMsg)) resolve({ status: 'cancelled', errMsg });
      else resolve({ status: 'failed', errMsg: r?.err_desc ? `${errMsg} ${r.err_desc}` : errMsg });
    }),
  );
}

/** WeChat injects WeixinJSBridge late: wait for WeixinJSBridgeReady, at most `timeoutMs`. */
function weixinBridge(timeoutMs: number): Promise<Bridge | undefined> {
  const current = () => (globalThis as unknown as { WeixinJSBridge?: Bridge }).WeixinJSBridge;
  if (current()) return Promise.resolve(current());
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      document.removeEventListener('WeixinJSBridgeReady', done);
      resolve(current());
    };
    const timer = setTimeout(done, timeoutMs);
    document.addEventListener('WeixinJSBridgeReady', done);
  });
}

/** States after which an order will not become SUCCESS by waiting. */
const UNPAID_FINAL = ['CLOSED', 'REVOKED', 'PAYERROR'];

async function confirmPaid(url: string, attempts: number): Promise<PayOutcome> {
  let state: string | undefined;
  let errMsg: string | undefined;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** (i - 1), 2000)));
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
      if (response.ok) [state, errMsg] = [((await response.json()) as { state?: string }).state, undefined];
      else errMsg = `the service answered ${response.status}`;
    } catch {
      errMsg = 'the service could not be reached';
    }
    if (state === 'SUCCESS' || state === 'REFUND') return { status: 'paid', state };
    if (state && UNPAID_FINAL.includes(state)) break;
  }
  return { status: 'unconfirmed', ...(state && { state }), ...(errMsg && { errMsg }) };
}
