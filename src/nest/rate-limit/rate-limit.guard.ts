import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type RateFamily, RateLimiter } from './rate-limiter.js';

const FAMILY = 'nest-wechat-h5:rate-family';

/** Which budget a route counts against (default `other`); used with RateLimitGuard. */
export const RateLimitFamily = (family: Exclude<RateFamily, 'credentials'>) => SetMetadata(FAMILY, family);

/** 429 `RATE_LIMITED` with `Retry-After` once a client passed its budget of the route's family (RateLimiter). */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const family =
      this.reflector.getAllAndOverride<Exclude<RateFamily, 'credentials'> | undefined>(FAMILY, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'other';
    const http = context.switchToHttp();
    await this.limiter.admit(family, http.getRequest(), http.getResponse<{ header(name: string, value: string): unknown }>());
    return true;
  }
}
