import {
  Controller,
  Get,
  HttpCode,
  Inject,
  type OnModuleDestroy,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import { chosenAccount } from './chosen-account.js';
import { startLogin } from './login-start.js';
import { HANDOFF_GRACE_MS, type HandoffDesk, type HandoffState, handoffNotFound } from '../../core/oauth/handoff.js';
import { takePending } from '../../core/oauth/login-state.js';
import { Problem } from '../../core/problem.js';
import {
  ApiConflictResponse,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '../http/api-docs.js';
import { delay } from '../../transport/retry-policy.js';
import { openEventStream } from '../http/event-stream.js';
import { GlobalPrefix } from '../http/global-prefix.js';
import { HttpProblem } from '../http/http-problem.js';
import type { RequestLine } from '../http/http-replies.js';
import { ProblemDto } from '../http/problem.dto.js';
import { ProblemFilter } from '../http/problem.filter.js';
import { RateLimitFamily, RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import type { HandoffBinding, WechatSession } from '../sessions/wechat-session.js';
import { WechatSessions } from '../sessions/wechat-sessions.js';
import { type HandoffPage, handoffPage, handoffProblemPage } from './handoff-page.js';
import { HANDOFF_DESK, OAUTH_OPTIONS, type ResolvedOAuthOptions } from './oauth.options.js';

type ClientRequest = RequestLine & { ip?: string };

/** The states after which the computer's stream ends. */
const FINAL: ReadonlySet<HandoffState> = new Set(['confirmed', 'refused', 'expired', 'used']);
/** How often a stream looks at the shared store: a phone on another instance is seen within a second. */
const STREAM_POLL_MS = 500;
const STREAM_PING_MS = 15_000;
/** Handoffs one browser follows at once (tabs); older ones are dropped. */
const MAX_BINDINGS = 3;

const wantsPage = (req: RequestLine) => String(req.headers.accept ?? '').includes('text/html');
const header = (req: RequestLine, name: string) => {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
};

/**
 * Logging in on a computer through a phone (SPEC 3.11): the computer asks for a ticket and shows it as a
 * QR code; the phone opens it in WeChat, confirms and logs in with the account's OAuth; the computer
 * follows the state and redeems the ticket for a session. The computer's session holds the secret
 * that binds the ticket to it: the QR code alone collects nothing.
 */
@Controller('wechat/oauth')
@ApiTags('WeChat login')
@UseFilters(ProblemFilter)
export class HandoffController implements OnModuleDestroy {
  /** resolved when the application closes: open streams end, so the server's close does not wait for them */
  private readonly closing: Promise<void>;
  private close!: () => void;

  constructor(
    @Inject(HANDOFF_DESK) private readonly desk: HandoffDesk,
    @Inject(OAUTH_OPTIONS) private readonly options: ResolvedOAuthOptions,
    private readonly sessions: WechatSessions,
    private readonly accounts: WechatAccounts,
    private readonly adapterHost: HttpAdapterHost,
    private readonly prefix: GlobalPrefix,
  ) {
    this.closing = new Promise((resolve) => (this.close = resolve));
  }

  onModuleDestroy(): void {
    this.close();
  }

  @Post('handoff')
  @UseGuards(RateLimitGuard)
  @RateLimitFamily('login')
  @ApiOperation({ summary: 'the computer asks for a ticket to show as a QR code; its session is bound to it' })
  @ApiCreatedResponse({ description: '{ ticket, qrUrl, expiresIn }' })
  @ApiTooManyRequestsResponse({ type: ProblemDto, description: 'RATE_LIMITED' })
  async create(@Req() req: ClientRequest, @Res({ passthrough: true }) reply: object, @Query('appId') appId?: unknown) {
    const account = chosenAccount(this.accounts, appId);
    const session = await this.sessions.open(req, reply);
    const browser = { userAgent: header(req, 'user-agent'), ip: req.ip ?? '' };
    const { ticket, secret, expiresAt } = await this.desk.create(browser, account);
    const live = this.bindings(session).filter((b) => b.expiresAt > Date.now());
    session.set('wechatHandoff', [...live, { ticket, secret, expiresAt }].slice(-MAX_BINDINGS));
    // an anonymous session lives as long as the ticket answers (410 through its grace, not 404)
    if (!session.get('user')) session.setMaxAge(this.options.handoffTtlMs + HANDOFF_GRACE_MS);
    await session.save();
    this.adapterHost.httpAdapter.status(reply, 201);
    return {
      ticket,
      qrUrl: `${this.options.publicBaseUrl}${this.path(`/handoff/${ticket}`)}`,
      expiresIn: Math.round(this.options.handoffTtlMs / 1000),
    };
  }

  @Get('handoff/:ticket')
  @UseGuards(RateLimitGuard)
  @ApiOperation({
    summary:
      "a browser navigation (Accept: text/html; the phone) gets the confirm page; anything else (the computer's poll) gets { state }",
  })
  @ApiCookieAuth('wechat_sid')
  @ApiOkResponse({ description: '{ state }: pending, scanned, confirmed, refused, expired or used' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'HANDOFF_NOT_FOUND (also: not bound to this browser)' })
  async view(@Req() req: ClientRequest, @Res() reply: object, @Param('ticket') ticket: string): Promise<void> {
    // one answer per request, sent here on either path (never also by Nest)
    if (wantsPage(req)) return this.confirmPage(req, reply, ticket);
    const session = await this.sessions.open(req, reply);
    const state = await this.desk.state(ticket, this.secretOf(session, ticket));
    this.adapterHost.httpAdapter.setHeader(reply, 'cache-control', 'no-store');
    this.adapterHost.httpAdapter.reply(reply, { state }, 200);
  }

  @Get('handoff/:ticket/events')
  @UseGuards(RateLimitGuard)
  @ApiCookieAuth('wechat_sid')
  @ApiOperation({
    summary: 'Server-Sent Events of the state (pending, scanned, confirmed, refused, expired), for the bound browser',
  })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'HANDOFF_NOT_FOUND' })
  async events(@Req() req: ClientRequest, @Res() reply: object, @Param('ticket') ticket: string): Promise<void> {
    const session = await this.sessions.open(req, reply);
    const secret = this.secretOf(session, ticket);
    let state = await this.desk.state(ticket, secret);
    const binding = this.bindings(session).find((b) => b.ticket === ticket)!;
    const stream = openEventStream(this.adapterHost.httpAdapter, reply);
    let open = true;
    void Promise.race([stream.closed, this.closing]).then(() => (open = false));
    stream.send(state, { state });
    let pinged = Date.now();
    while (open && !FINAL.has(state)) {
      await Promise.race([
        delay(Math.min(STREAM_POLL_MS, Math.max(0, binding.expiresAt - Date.now()) + 10)),
        stream.closed,
        this.closing,
      ]);
      if (!open) break;
      const next = await this.desk.state(ticket, secret).catch(() => undefined);
      // the store failed: the browser reconnects (EventSource does by itself) and asks again
      if (next === undefined) break;
      if (next !== state) stream.send(next, { state: next });
      state = next;
      if (Date.now() - pinged >= STREAM_PING_MS) {
        stream.ping();
        pinged = Date.now();
      }
    }
    stream.end();
  }

  @Post('handoff/:ticket/redeem')
  @HttpCode(204)
  @UseGuards(RateLimitGuard)
  @RateLimitFamily('login')
  @ApiCookieAuth('wechat_sid')
  @ApiOperation({ summary: 'the bound browser takes the login the phone confirmed: a new session holding the user' })
  @ApiNoContentResponse({ description: 'logged in (a new session id)' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'HANDOFF_NOT_FOUND' })
  @ApiConflictResponse({ type: ProblemDto, description: 'HANDOFF_NOT_CONFIRMED' })
  @ApiGoneResponse({ type: ProblemDto, description: 'HANDOFF_USED, HANDOFF_EXPIRED' })
  async redeem(@Req() req: ClientRequest, @Res({ passthrough: true }) reply: object, @Param('ticket') ticket: string) {
    const session = await this.sessions.open(req, reply);
    const user = await this.desk.redeem(ticket, this.secretOf(session, ticket));
    // a new session id at login, as after the phone's own login; the bindings stay until they expire, so a
    // second redeem answers 410 HANDOFF_USED, not 404
    await session.regenerate();
    session.set('user', user);
    await session.save();
  }

  @Post('handoff/:ticket/refuse')
  @UseGuards(RateLimitGuard)
  @ApiOperation({ summary: 'the phone\'s "Not me": the computer sees refused (needs the state of the phone\'s confirm page)' })
  @ApiForbiddenResponse({ type: ProblemDto, description: 'INVALID_STATE' })
  async refuse(
    @Req() req: ClientRequest,
    @Res() reply: object,
    @Param('ticket') ticket: string,
    @Query('state') state?: unknown,
  ): Promise<void> {
    const session = await this.sessions.open(req, reply);
    const taken = takePending(session.get('wechatLogin'), state, Date.now(), this.options.stateTtlMs);
    if (!taken.ok || taken.entry.handoff !== ticket) {
      throw new HttpProblem(403, 'INVALID_STATE', 'refuse from the confirm page on the phone');
    }
    session.set('wechatLogin', taken.rest);
    await session.save();
    await this.desk.refuse(ticket);
    this.sendPage(reply, handoffPage(await this.desk.scan(ticket), undefined, true, Date.now()));
  }

  /** The phone's page: marks the ticket scanned, and keeps a login state in the phone's session for its OAuth. */
  private async confirmPage(req: ClientRequest, reply: object, ticket: string): Promise<void> {
    let request;
    try {
      request = await this.desk.scan(ticket);
    } catch (error) {
      if (error instanceof Problem && (error.statusCode === 404 || error.statusCode === 410)) {
        const message =
          error.statusCode === 404 ? 'This login QR code is unknown. Ask the computer for a new one.' : error.message;
        return this.sendPage(reply, handoffProblemPage(error.statusCode, message));
      }
      throw error;
    }
    let links;
    if (request.state === 'scanned') {
      const scope = this.options.scope;
      const login = {
        returnTo: this.path(`/handoff/${ticket}`),
        scope,
        handoff: ticket,
        ...(request.appId ? { appId: request.appId } : {}),
      };
      const state = await startLogin(await this.sessions.open(req, reply), login, this.options.stateTtlMs);
      links = {
        confirmUrl: this.accounts.get(request.appId).oauth.authorizeUrl(state, scope),
        refuseUrl: `${this.path(`/handoff/${ticket}/refuse`)}?state=${state}`,
      };
    }
    this.sendPage(reply, handoffPage(request, links, /MicroMessenger/i.test(header(req, 'user-agent')), Date.now()));
  }

  private sendPage(reply: object, page: HandoffPage): void {
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(reply, 'content-type', 'text/html; charset=utf-8');
    adapter.setHeader(reply, 'content-security-policy', page.csp);
    adapter.setHeader(reply, 'cache-control', 'no-store');
    adapter.setHeader(reply, 'referrer-policy', 'no-referrer');
    adapter.setHeader(reply, 'x-content-type-options', 'nosniff');
    adapter.reply(reply, page.html, page.status);
  }

  private bindings(session: WechatSession): HandoffBinding[] {
    const value = session.get('wechatHandoff');
    return Array.isArray(value) ? value : [];
  }

  /** The secret this browser holds for `ticket`; 404 when it holds none (a stranger, another browser). */
  private secretOf(session: WechatSession, ticket: string): string {
    const binding = this.bindings(session).find((b) => b.ticket === ticket);
    if (!binding) throw handoffNotFound();
    return binding.secret;
  }

  private path(tail: string): string {
    return this.prefix.apply(`/${this.options.routePrefix}${tail}`);
  }
}
