import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem } from '../common/http-problem.js';
import { OAUTH_OPTIONS, type ResolvedOAuthOptions } from './oauth.options.js';
import '../session/session.types.js';

/**
 * Lets a request through when the session holds a user. Otherwise a browser navigation (GET
 * accepting text/html) is sent to the login route with returnTo set, and anything else gets
 * 401 `NOT_AUTHENTICATED` with the `loginUrl`.
 */
@Injectable()
export class WechatAuthGuard implements CanActivate {
  constructor(@Inject(OAUTH_OPTIONS) private readonly options: ResolvedOAuthOptions) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (!request.session) throw new Error('WechatAuthGuard: sessions are not registered (see registerSessions)');
    if (request.session.get('user')) return true;

    const loginUrl = `${this.options.loginPath}?returnTo=${encodeURIComponent(request.url)}`;
    if (request.method === 'GET' && String(request.headers.accept ?? '').includes('text/html')) {
      // Answered here: Nest's filters skip a reply that was already sent.
      await http.getResponse<FastifyReply>().redirect(loginUrl, 302);
      return false;
    }
    throw new HttpProblem(401, 'NOT_AUTHENTICATED', 'log in with WeChat first', { loginUrl });
  }
}
