import { type CanActivate, type ExecutionContext, Inject, Injectable, type Type } from '@nestjs/common';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { HttpAdapterHost } from '@nestjs/core';
import { GlobalPrefix } from '../http/global-prefix.js';
import { redirect, requestedUrl, type RequestLine } from '../http/http-replies.js';
import { HttpProblem } from '../http/http-problem.js';
import { WechatSessions } from '../sessions/wechat-sessions.js';
import { OAUTH_OPTIONS, type ResolvedOAuthOptions } from './oauth.options.js';
import type { SessionUser } from '../../core/oauth/session-user.js';

const accountGuards = new Map<string, Type<CanActivate>>();

/**
 * Lets a request through when its session holds a user (of the required account, with
 * `WechatAuthGuard.for(appId)`). Otherwise a browser navigation (GET accepting text/html) is sent
 * to the login route with returnTo (and that appId) set, and anything else gets 401
 * `NOT_AUTHENTICATED` with the `loginUrl`. A session store that fails answers 503.
 */
@Injectable()
export class WechatAuthGuard implements CanActivate {
  /** the account a user must have logged in through; undefined: any */
  protected readonly requiredAppId?: string;

  constructor(
    @Inject(OAUTH_OPTIONS) private readonly options: ResolvedOAuthOptions,
    private readonly sessions: WechatSessions,
    private readonly accounts: WechatAccounts,
    private readonly prefix: GlobalPrefix,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** A guard that admits only users who logged in through `appId`: `@UseGuards(WechatAuthGuard.for(appId))`. */
  static for(appId: string): Type<CanActivate> {
    let guard = accountGuards.get(appId);
    if (!guard) {
      @Injectable()
      class WechatAccountAuthGuard extends WechatAuthGuard {
        protected override readonly requiredAppId = appId;
      }
      accountGuards.set(appId, (guard = WechatAccountAuthGuard));
    }
    return guard;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<RequestLine>();
    const session = await this.sessions.open(request, http.getResponse());
    const user = session.get('user') as SessionUser | undefined;
    if (user && this.admits(user)) return true;

    const account =
      this.requiredAppId !== undefined && this.requiredAppId !== this.accounts.default.appId
        ? `&appId=${encodeURIComponent(this.requiredAppId)}`
        : '';
    const loginUrl = `${this.prefix.apply(this.options.loginPath)}?returnTo=${encodeURIComponent(requestedUrl(request))}${account}`;
    if (request.method === 'GET' && String(request.headers.accept ?? '').includes('text/html')) {
      // Answered here: Nest's filters skip a reply that was already sent.
      await redirect(this.adapterHost.httpAdapter, http.getResponse<object>(), loginUrl);
      return false;
    }
    throw new HttpProblem(401, 'NOT_AUTHENTICATED', 'log in with WeChat first', { loginUrl });
  }

  /** A session from before accounts carried no appId: it is the default account's. */
  private admits(user: SessionUser): boolean {
    if (this.requiredAppId === undefined) return true;
    return (user.appId ?? this.accounts.default.appId) === this.requiredAppId;
  }
}
