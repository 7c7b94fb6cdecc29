import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { RateLimiter } from './rate-limiter.js';

/** 429 `RATE_LIMITED` with `Retry-After` once a client passed the limit of RateLimiter. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limiter: RateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    await this.limiter.admit(http.getRequest(), http.getResponse<{ header(name: string, value: string): unknown }>());
    return true;
  }
}
