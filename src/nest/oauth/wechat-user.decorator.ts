import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { openedSession } from '../sessions/opened-sessions.js';
import type { SessionUser } from '../../core/oauth/session-user.js';

/**
 * The session user (or one of its fields: `@WechatUser('openid')`). Use behind WechatAuthGuard,
 * which opens the session; undefined when nobody is logged in.
 */
export const WechatUser = createParamDecorator((field: keyof SessionUser | undefined, context: ExecutionContext): unknown => {
  const user = openedSession(context.switchToHttp().getRequest<object>())?.get('user');
  return field && user ? user[field] : user;
});
