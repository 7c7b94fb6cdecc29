import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { HttpProblem } from '../common/http-problem.js';
import { WechatSessions } from '../session/wechat-sessions.js';
import { OAUTH_OPTIONS, type ResolvedOAuthOptions } from './oauth.options.js';

interface RequestLine {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Lets a request through when its session holds a user. Otherwise a browser navigation (GET
 * accepting text/html) is sent to the login route with returnTo set, and anything else gets
 * 401 `NOT_AUTHENTICATED` with the `loginUrl`. A session store that fails answers 503.
 */
@Injectable()
export class WechatAuthGuard implements CanActivate {
  constructor(
    @Inject(OAUTH_OPTIONS) private readonly options: ResolvedOAuthOptions,
    private readonly sessions: WechatSessions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<RequestLine>();
    const session = await this.sessions.open(request, http.getResponse());
    if (session.get('user')) return true;

    const loginUrl = `${this.options.loginPath}?returnTo=${encodeURIComponent(request.url)}`;
    if (request.method === 'GET' && String(request.headers.accept ?? '').includes('text/html')) {
      // Answered here: Nest's filters skip a reply that was already sent.
      await http.getResponse<{ redirect(url: string, code: number): unknown }>().redirect(loginUrl, 302);
      return false;
    }
    throw new HttpProblem(401, 'NOT_AUTHENTICATED', 'log in with WeChat first', { loginUrl });
  }
}
