import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { HttpProblem } from '../common/http-problem.js';
import { RateLimiter } from './rate-limiter.js';

/** 429 `RATE_LIMITED` with `Retry-After` once a client passed the limit of RateLimiter. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly limiter: RateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const verdict = await this.limiter.verdict(http.getRequest());
    if (verdict.allowed) return true;
    const reply = http.getResponse<{ header(name: string, value: string): unknown }>();
    reply.header('retry-after', String(verdict.retryAfterSec));
    throw new HttpProblem(429, 'RATE_LIMITED', `too many requests; try again in ${verdict.retryAfterSec} s`, {
      retryAfter: verdict.retryAfterSec,
    });
  }
}
