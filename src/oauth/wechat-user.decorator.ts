import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { SessionUser } from './session-user.js';
import '../session/session.types.js';

/**
 * The session user (or one of its fields: `@WechatUser('openid')`). Use behind WechatAuthGuard;
 * undefined when nobody is logged in.
 */
export const WechatUser = createParamDecorator(
  (field: keyof SessionUser | undefined, context: ExecutionContext): unknown => {
    const user = context.switchToHttp().getRequest<FastifyRequest>().session?.get('user');
    return field && user ? user[field] : user;
  },
);
