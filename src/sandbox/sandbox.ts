import {
  authorizePage,
  authorizeUrlParams,
  checkAuthorize,
  completeAuthorize,
  SandboxAuthorizeError,
  type AuthorizeDecision,
} from './authorize-request.js';
import { CallCounter } from './call-counter.js';
import { CredentialState, type SandboxTicketType } from './credential-state.js';
import { SANDBOX_ENDPOINTS } from './endpoints.js';
import { FaultQueue, type SandboxFault } from './faults.js';
import { downloadSha256 } from './media-content.js';
import { type MediaBytes, type MediaEncoding, MediaStore, type MediaSpec } from './media-store.js';
import { MessageSimulator, type SandboxMessagePush, type SandboxPushRequest } from './messages/message-simulator.js';
import { OAuthState } from './oauth-state.js';
import { PaySimulator } from './pay/pay-simulator.js';
import {
  resolveSandboxOptions,
  type ResolvedSandboxOptions,
  type SandboxAccount,
  type SandboxOptions,
} from './sandbox.options.js';
import { sandboxOpenid, type SandboxUser } from './test-users.js';

export interface AuthorizeOptions {
  /** Test user key; default: the url's sandbox_user, else the first user. */
  user?: string;
  /** Default 'allow'. */
  decision?: AuthorizeDecision;
}

/** One simulated WeChat: options, credential, OAuth, media and pay state, fault queue and call counts. HTTP-agnostic. */
export class Sandbox {
  readonly options: ResolvedSandboxOptions;
  readonly state: CredentialState;
  readonly oauth: OAuthState;
  readonly media: MediaStore;
  /** WeChat Pay APIv3: the test merchant (`pay.merchant`), paying as a user, notification records. */
  readonly pay: PaySimulator;
  /** Message pushes (服务器配置) to the service's url, their passive replies, and customer-service messages. */
  readonly messages: MessageSimulator;
  readonly faults = new FaultQueue();
  readonly counter = new CallCounter();
  private readonly endpoints = new Set<string>(SANDBOX_ENDPOINTS);

  constructor(options: SandboxOptions = {}) {
    this.options = resolveSandboxOptions(options);
    this.state = new CredentialState(this.options);
    this.oauth = new OAuthState(this.options);
    this.media = new MediaStore(this.options);
    this.pay = new PaySimulator({
      now: this.options.now,
      pay: this.options.pay,
      appIds: this.options.accounts.map((a) => a.appId),
      payerOf: (appId, openid) => this.options.users.find((u) => sandboxOpenid(appId, u.key) === openid)?.key,
    });
    this.messages = new MessageSimulator({
      now: this.options.now,
      replyWaitMs: this.options.messageReplyWaitMs,
      accounts: this.options.accounts,
      userKeys: this.options.users.map((u) => u.key),
      openidOf: (appId, userKey) => sandboxOpenid(appId, userKey),
      // a few seconds of AMR, as a user's voice message
      registerVoice: (appId) => this.registerMedia(appId, { type: 'voice', size: 6144 }),
    });
  }

  /**
   * A test user sends the account a text or voice, clicks a menu item, follows or unfollows: WeChat's push to `url`
   * (plain, compatible or safe), tried up to 3 times. Resolves with the record: each try and the decoded passive reply.
   * Rejects with SandboxMessageError for a request it cannot play.
   */
  pushMessage(request: SandboxPushRequest): Promise<SandboxMessagePush> {
    return this.messages.push(request);
  }

  get accounts(): readonly SandboxAccount[] {
    return this.options.accounts.map((a) => ({ ...a }));
  }

  /** The test users; `openid` is the one under the first account (see openidOf for others). */
  get users(): readonly SandboxUser[] {
    return this.options.users.map((u) => ({ ...u }));
  }

  /** A test user's openid as app `appId` sees it (stable, different per app). */
  openidOf(appId: string, userKey: string): string {
    return this.oauth.openidOf(appId, userKey);
  }

  /**
   * Approves (or refuses) an authorize url without a page, as the user would on the consent page, and
   * returns where WeChat would send the browser. Validates like GET connect/oauth2/authorize, throwing
   * SandboxAuthorizeError with the error-page code; counts as a call of that endpoint.
   */
  authorize(authorizeUrl: string, opts: AuthorizeOptions = {}): string {
    const params = authorizeUrlParams(authorizeUrl);
    const page = authorizePage(authorizeUrl);
    this.counter.record(page === 'website' ? 'connect/qrconnect' : 'connect/oauth2/authorize');
    const check = checkAuthorize(params, this.oauth, page);
    if (!check.ok) throw new SandboxAuthorizeError(check);
    const outcome = completeAuthorize(this.oauth, check.request, opts.decision ?? 'allow', opts.user ?? check.request.user);
    if (!outcome.ok) throw new SandboxAuthorizeError(outcome);
    return outcome.redirect;
  }

  /** True while a web (OAuth) access_token is unexpired. */
  validWebToken(token: string): boolean {
    return this.oauth.isWebTokenValid(token);
  }

  /** Names accepted by injectFault and the control API. */
  knownEndpoints(): string[] {
    return [...this.endpoints];
  }

  isKnownEndpoint(endpoint: string): boolean {
    return this.endpoints.has(endpoint);
  }

  /** For extra route groups whose names are not in SANDBOX_ENDPOINTS. */
  addEndpoint(endpoint: string): void {
    this.endpoints.add(endpoint);
  }

  /**
   * Temporary media of `appId`, as if uploaded now (or sent by a user, or uploaded by wx.uploadImage /
   * wx.uploadVoice): downloadable for mediaTtlSec. Returns the media_id.
   */
  registerMedia(appId: string, spec: MediaSpec): string {
    return this.media.register(appId, spec);
  }

  /** Hex sha256 of the body media/get (or, with `hd`, media/get/jssdk) serves for this id. */
  mediaSha256(mediaId: string, options: { hd?: boolean } = {}): string {
    return downloadSha256(this.download(mediaId, options));
  }

  /** Length, type and encoding of what a download of this id gives (`hd`: the HD voice). */
  mediaDownload(mediaId: string, options: { hd?: boolean } = {}): { size: number; contentType: string; encoding: MediaEncoding } {
    const { size, contentType, encoding } = this.download(mediaId, options);
    return { size, contentType, encoding };
  }

  private download(mediaId: string, { hd = false }: { hd?: boolean }): MediaBytes {
    const media = this.media.bytesInfo(mediaId, hd);
    if (!media) throw new Error(`sandbox: unknown media ${mediaId}${hd ? ' (or not a voice)' : ''}`);
    return media;
  }

  calls(): Record<string, number>;
  calls(endpoint: string): number;
  calls(endpoint?: string): number | Record<string, number> {
    return endpoint === undefined ? this.counter.all() : this.counter.count(endpoint);
  }

  resetCalls(): void {
    this.counter.reset();
  }

  injectFault(endpoint: string, fault: SandboxFault, times = 1): void {
    if (!this.isKnownEndpoint(endpoint)) throw new Error(`sandbox: unknown endpoint ${endpoint}`);
    this.faults.inject(endpoint, fault, times);
  }

  clearFaults(endpoint?: string): void {
    this.faults.clear(endpoint);
  }

  /** Account secrets and every token, ticket, code and web token issued, so tests can assert none leaks. */
  issuedSecrets(): string[] {
    const messageSecrets = this.options.accounts.flatMap((a) => [a.messageToken, a.messageAesKey]);
    return [
      ...this.state.issuedSecrets(),
      ...this.oauth.issuedSecrets(),
      ...messageSecrets.filter((s): s is string => s !== undefined),
    ];
  }

  currentTicket(appId: string, type: SandboxTicketType): string | undefined {
    return this.state.currentTicket(appId, type);
  }

  /** stable_token calls of `appId` that asked for force_refresh (WeChat allows 20 a day). */
  forceRefreshes(appId: string): number {
    return this.state.forceRefreshRequests(appId);
  }

  currentStableToken(appId: string): string | undefined {
    return this.state.currentStableToken(appId);
  }

  isAccessTokenValid(token: string): boolean {
    return this.state.isAccessTokenValid(token);
  }
}
