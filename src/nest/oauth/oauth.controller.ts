import { Controller, Get, HttpCode, Inject, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { asHttpProblem, HttpProblem } from '../http/http-problem.js';
import { redirect, type RequestLine } from '../http/http-replies.js';
import { RateLimitFamily, RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import type { WechatSession } from '../sessions/wechat-session.js';
import { WechatSessions } from '../sessions/wechat-sessions.js';
import {
  ApiBadRequestResponse,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiFoundResponse,
  ApiNotFoundResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '../http/api-docs.js';
import { ProblemDto } from '../http/problem.dto.js';
import { ProblemFilter } from '../http/problem.filter.js';
import { NotAuthenticatedDto, SessionUserDto } from './oauth.responses.js';
import { type LoginStateData, markCompleted, recentCompletion, takePending } from '../../core/oauth/login-state.js';
import { HANDOFF_DESK, OAUTH_OPTIONS, type ResolvedOAuthOptions, WEBSITE_LOGIN } from './oauth.options.js';
import type { AccountOAuth } from '../../core/oauth/account-oauth.js';
import type { HandoffDesk } from '../../core/oauth/handoff.js';
import { UserMapping } from './user-mapping.js';
import { startLogin } from './login-start.js';
import { safeReturnTo, withQueryParam } from '../../core/oauth/return-to.js';
import type { OAuthScope, SessionUser } from '../../core/oauth/session-user.js';
import type { LoginOutcome } from '../../core/events.js';
import { WechatAuthGuard } from './wechat-auth.guard.js';
import { WechatUser } from './wechat-user.decorator.js';
import { WechatEvents } from '../../core/events.js';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { chosenAccount } from './chosen-account.js';

const SCOPES: OAuthScope[] = ['snsapi_base', 'snsapi_userinfo'];
const wantsJson = (req: RequestLine) => {
  const accept = String(req.headers.accept ?? '');
  return accept.includes('application/json') && !accept.includes('text/html');
};

/** The login redirect, the callback, the current user and logout. */
@Controller('wechat/oauth')
@ApiTags('WeChat login')
@UseFilters(ProblemFilter)
export class OAuthController {
  constructor(
    private readonly users: UserMapping,
    @Inject(OAUTH_OPTIONS) private readonly options: ResolvedOAuthOptions,
    private readonly events: WechatEvents,
    private readonly sessions: WechatSessions,
    private readonly accounts: WechatAccounts,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(HANDOFF_DESK) private readonly handoff: HandoffDesk,
    @Inject(WEBSITE_LOGIN) private readonly website: AccountOAuth | null,
  ) {}

  private redirect(response: object, url: string): Promise<void> {
    return redirect(this.adapterHost.httpAdapter, response, url);
  }

  @Get('login')
  @UseGuards(RateLimitGuard)
  @RateLimitFamily('login')
  @ApiOperation({ summary: "302 to WeChat's authorize page; the state is kept in the session" })
  @ApiQuery({ name: 'returnTo', required: false, description: 'local path to come back to (else /)' })
  @ApiQuery({ name: 'scope', required: false, enum: ['snsapi_base', 'snsapi_userinfo'] })
  @ApiQuery({
    name: 'appId',
    required: false,
    description: 'the Official Account to log in through; default: the default account',
  })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'UNKNOWN_ACCOUNT, or VALIDATION_FAILED' })
  @ApiFoundResponse({ description: 'to {WECHAT_OPEN_BASE_URL}/connect/oauth2/authorize?...#wechat_redirect' })
  @ApiTooManyRequestsResponse({ type: ProblemDto, description: 'RATE_LIMITED, with Retry-After' })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'SESSION_STORE_UNAVAILABLE' })
  async login(
    @Req() req: RequestLine,
    @Res() reply: object,
    @Query('returnTo') returnTo?: unknown,
    @Query('scope') scope?: unknown,
    @Query('appId') appId?: unknown,
  ) {
    if (scope !== undefined && !SCOPES.includes(scope as OAuthScope)) {
      throw new HttpProblem(400, 'VALIDATION_FAILED', 'scope must be snsapi_base or snsapi_userinfo');
    }
    const account = chosenAccount(this.accounts, appId);
    const chosen = (scope as OAuthScope | undefined) ?? this.options.scope;
    const login = { returnTo: safeReturnTo(returnTo), scope: chosen, ...(account ? { appId: account } : {}) };
    const state = await startLogin(await this.sessions.open(req, reply), login, this.options.stateTtlMs);
    await this.redirect(reply, this.accounts.get(account).oauth.authorizeUrl(state, chosen));
  }

  @Get('qr-login')
  @UseGuards(RateLimitGuard)
  @RateLimitFamily('login')
  @ApiOperation({ summary: "a computer's login: 302 to the website application's QR page (qrconnect, snsapi_login)" })
  @ApiQuery({ name: 'returnTo', required: false, description: 'local path to come back to (else /)' })
  @ApiFoundResponse({ description: 'to {WECHAT_OPEN_BASE_URL}/connect/qrconnect?...#wechat_redirect' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'QR_LOGIN_NOT_CONFIGURED: no website application' })
  @ApiTooManyRequestsResponse({ type: ProblemDto, description: 'RATE_LIMITED, with Retry-After' })
  async qrLogin(@Req() req: RequestLine, @Res() reply: object, @Query('returnTo') returnTo?: unknown) {
    const website = this.websiteLogin();
    const state = await this.startWebsiteLogin(req, reply, returnTo);
    await this.redirect(reply, website.qrConnectUrl(state));
  }

  @Get('qr-login/config')
  @UseGuards(RateLimitGuard)
  @RateLimitFamily('login')
  @ApiOperation({ summary: 'what a page passes to wxLogin.js to embed the QR code: { appid, scope, redirect_uri, state }' })
  @ApiQuery({ name: 'returnTo', required: false, description: 'local path to come back to (else /)' })
  @ApiOkResponse({ description: '{ appid, scope: snsapi_login, redirect_uri (encoded, as wxLogin.js wants it), state }' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'QR_LOGIN_NOT_CONFIGURED: no website application' })
  async qrLoginConfig(@Req() req: RequestLine, @Res({ passthrough: true }) reply: object, @Query('returnTo') returnTo?: unknown) {
    const website = this.websiteLogin();
    // its state is single use and bound to this session: never from a cache
    this.adapterHost.httpAdapter.setHeader(reply, 'cache-control', 'no-store');
    return website.wxLoginConfig(await this.startWebsiteLogin(req, reply, returnTo));
  }

  private websiteLogin(): AccountOAuth {
    if (!this.website) {
      throw new HttpProblem(404, 'QR_LOGIN_NOT_CONFIGURED', 'no website application is configured (WECHAT_WEB_APP_ID)');
    }
    return this.website;
  }

  /** A login state bound to this browser's session, as for the account's login. */
  private async startWebsiteLogin(req: RequestLine, reply: object, returnTo: unknown): Promise<string> {
    const login = { returnTo: safeReturnTo(returnTo), scope: 'snsapi_login' as const, website: true as const };
    return startLogin(await this.sessions.open(req, reply), login, this.options.stateTtlMs);
  }

  @Get('callback')
  @ApiOperation({ summary: 'WeChat redirects here; exchanges the code and logs the user in' })
  @ApiQuery({ name: 'code', required: false })
  @ApiQuery({ name: 'state', required: true })
  @ApiFoundResponse({ description: 'to returnTo (with ?wechat_error=access_denied when refused)' })
  @ApiForbiddenResponse({ type: ProblemDto, description: 'INVALID_STATE' })
  @ApiUnauthorizedResponse({ type: ProblemDto, description: 'INVALID_CODE, or ACCESS_DENIED for JSON clients' })
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'WECHAT_UNAVAILABLE' })
  async callback(@Req() req: RequestLine, @Res() reply: object, @Query('code') code?: unknown, @Query('state') state?: unknown) {
    const account: { appId?: string } = {};
    try {
      const outcome = await this.handleCallback(req, reply, code, state, account);
      this.events.login(outcome, account.appId ?? this.accounts.default.appId);
    } catch (error) {
      this.events.login(loginFailure(error), account.appId ?? this.accounts.default.appId);
      throw error;
    }
  }

  private async handleCallback(
    req: RequestLine,
    reply: object,
    code: unknown,
    state: unknown,
    account: { appId?: string },
  ): Promise<LoginOutcome> {
    const now = Date.now();
    const session = await this.sessions.open(req, reply);
    const data = session.get('wechatLogin');
    const taken = takePending(data, state, now, this.options.stateTtlMs);
    if (!taken.ok) {
      const done = recentCompletion(data, state, now);
      if (done && (session.get('user') || done.handoff)) {
        await this.redirect(reply, done.returnTo);
        return 'repeated_callback';
      }
      if (taken.reason === 'expired') await this.keep(session, taken.rest);
      throw new HttpProblem(403, 'INVALID_STATE', `login state ${taken.reason}; start the login again`);
    }
    const { entry } = taken;
    account.appId = entry.appId;
    if (typeof code !== 'string' || code.length === 0) {
      await this.keep(session, taken.rest);
      // the phone's user said no on WeChat's page: the computer sees refused (a decision taken already stands)
      if (entry.handoff) await this.handoff.refuse(entry.handoff).catch(() => undefined);
      if (wantsJson(req)) throw new HttpProblem(401, 'ACCESS_DENIED', 'the user did not authorize the login');
      await this.redirect(reply, withQueryParam(entry.returnTo, 'wechat_error', 'access_denied'));
      return 'access_denied';
    }
    // single use: the state is spent before WeChat sees the code
    await this.keep(session, taken.rest);
    // a website application's code is exchanged with its own credentials (another appId than the account's)
    const oauth = entry.website ? this.websiteLogin() : this.accounts.get(entry.appId).oauth;
    const { grant, profile } = await oauth.completeLogin(code);
    const user = await this.users.map(profile);
    if (entry.handoff) {
      // the phone logs a computer in: the user goes to the ticket, the phone's session stays as it was
      await this.handoff.bind(entry.handoff, user);
      await this.keep(session, markCompleted(taken.rest, entry, Date.now()));
      await this.redirect(reply, entry.returnTo);
      return 'success';
    }
    // A new session id at login: a session id planted before login is worth nothing after it.
    await session.regenerate();
    session.set('user', user);
    session.set('wechatWebGrant', grant);
    session.set('wechatLogin', markCompleted(taken.rest, entry, Date.now()));
    await session.save();
    await this.redirect(reply, entry.returnTo);
    return 'success';
  }

  private async keep(session: WechatSession, login: LoginStateData): Promise<void> {
    session.set('wechatLogin', login);
    await session.save();
  }

  @Get('me')
  @UseGuards(WechatAuthGuard)
  @ApiCookieAuth('wechat_sid')
  @ApiOperation({ summary: 'the session user' })
  @ApiOkResponse({ type: SessionUserDto })
  @ApiUnauthorizedResponse({
    type: NotAuthenticatedDto,
    description: 'NOT_AUTHENTICATED (browser navigations get a 302 to login)',
  })
  me(@WechatUser() user: SessionUser): SessionUser {
    return user;
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'destroys the session server-side' })
  @ApiNoContentResponse()
  @ApiServiceUnavailableResponse({ type: ProblemDto, description: 'SESSION_STORE_UNAVAILABLE' })
  async logout(@Req() req: RequestLine, @Res({ passthrough: true }) reply: object): Promise<void> {
    await (await this.sessions.open(req, reply)).destroy();
  }
}

function loginFailure(thrown: unknown): LoginOutcome {
  const error = asHttpProblem(thrown);
  if (error instanceof HttpProblem) {
    if (error.code === 'INVALID_STATE') return 'invalid_state';
    if (error.code === 'INVALID_CODE') return 'invalid_code';
    if (error.code === 'ACCESS_DENIED') return 'access_denied';
  }
  return 'error';
}
