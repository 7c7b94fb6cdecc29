export type CallOutcome = 'ok' | 'errcode' | 'transport';
export type CacheTier = 'memory' | 'shared';
export type LoginOutcome = 'success' | 'invalid_state' | 'invalid_code' | 'access_denied' | 'error' | 'repeated_callback';

/** What the service reports as it works; metrics (or a host) subscribe. All calls are synchronous. */
export interface WechatEventListener {
  /** `appId`: the account the call was for ('' when not known) */
  apiCall(endpoint: string, outcome: CallOutcome, elapsedMs: number, appId: string): void;
  cacheLookup(credential: string, tier: CacheTier, hit: boolean, appId: string): void;
  credentialRefresh(credential: string, ok: boolean, elapsedMs: number, appId: string): void;
  signature(kind: 'jsapi' | 'card', appId: string): void;
  login(outcome: LoginOutcome, appId: string): void;
  /** a request to the credential API: `consumer` ('' when the bearer was not recognised), `kind` asked for */
  credentialRequest(consumer: string, kind: string): void;
  /** a pay order reached `state` (NOTPAY when recorded, SUCCESS, CLOSED, REFUND, REVIEW, ...) */
  payOrder(state: string): void;
  /** a pay notification's result: applied, unchanged, duplicate, review, unknown-order, ignored, refused, failed */
  payNotification(result: string): void;
  /** a pushed message's `outcome` (replied, nothing, repeat, deferred, sent_later, send_failed, dropped, failed); `event` is '' for a non-event */
  message(appId: string, msgType: string, event: string, outcome: string): void;
}

type Listeners = { [K in keyof WechatEventListener]: WechatEventListener[K][] };

/**
 * A tiny synchronous event hub: the seam between the core and its observers. With no
 * subscriber every call is a loop over an empty array.
 */
export class WechatEvents implements WechatEventListener {
  private readonly listeners: Listeners = {
    apiCall: [],
    cacheLookup: [],
    credentialRefresh: [],
    signature: [],
    login: [],
    credentialRequest: [],
    payOrder: [],
    payNotification: [],
    message: [],
  };

  subscribe(listener: Partial<WechatEventListener>): () => void {
    const added: [keyof Listeners, (...args: never[]) => void][] = [];
    for (const key of Object.keys(this.listeners) as (keyof Listeners)[]) {
      const fn = listener[key];
      if (!fn) continue;
      const bound = fn.bind(listener) as (...args: never[]) => void;
      (this.listeners[key] as unknown[]).push(bound);
      added.push([key, bound]);
    }
    return () => {
      for (const [key, fn] of added) {
        const list = this.listeners[key] as unknown[];
        list.splice(list.indexOf(fn), 1);
      }
    };
  }

  apiCall(endpoint: string, outcome: CallOutcome, elapsedMs: number, appId: string): void {
    for (const fn of this.listeners.apiCall) fn(endpoint, outcome, elapsedMs, appId);
  }

  cacheLookup(credential: string, tier: CacheTier, hit: boolean, appId: string): void {
    for (const fn of this.listeners.cacheLookup) fn(credential, tier, hit, appId);
  }

  credentialRefresh(credential: string, ok: boolean, elapsedMs: number, appId: string): void {
    for (const fn of this.listeners.credentialRefresh) fn(credential, ok, elapsedMs, appId);
  }

  signature(kind: 'jsapi' | 'card', appId: string): void {
    for (const fn of this.listeners.signature) fn(kind, appId);
  }

  login(outcome: LoginOutcome, appId: string): void {
    for (const fn of this.listeners.login) fn(outcome, appId);
  }

  credentialRequest(consumer: string, kind: string): void {
    for (const fn of this.listeners.credentialRequest) fn(consumer, kind);
  }

  payOrder(state: string): void {
    for (const fn of this.listeners.payOrder) fn(state);
  }

  payNotification(result: string): void {
    for (const fn of this.listeners.payNotification) fn(result);
  }

  message(appId: string, msgType: string, event: string, outcome: string): void {
    for (const fn of this.listeners.message) fn(appId, msgType, event, outcome);
  }
}
