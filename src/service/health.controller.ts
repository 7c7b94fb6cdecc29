import { Controller, Get, Inject, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '../nest/http/api-docs.js';
import { ProblemFilter } from '../nest/http/problem.filter.js';
import { isRefusal } from '../store/redis-guard.js';
import { WECHAT_STORE, type WechatStore } from '../core/wechat-store.js';
import { WECHAT_OPTIONS, type ResolvedWechatOptions } from '../nest/wechat.options.js';
import { SANDBOX_FLAG } from './ops.constants.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  cache: 'redis' | 'memory';
  redis: 'up' | 'down' | 'unused';
  sandbox: boolean;
  /** why the status is degraded */
  reason?: string;
}

class HealthDto implements HealthReport {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status: 'ok' | 'degraded';
  @ApiProperty({ enum: ['redis', 'memory'] }) cache: 'redis' | 'memory';
  @ApiProperty({ enum: ['up', 'down', 'unused'] }) redis: 'up' | 'down' | 'unused';
  @ApiProperty() sandbox: boolean;
  @ApiPropertyOptional({ description: 'why the status is degraded' }) reason?: string;
}

/** How long the probe key lives: long enough to be seen, short enough to leave nothing behind. */
const PROBE_TTL_MS = 10_000;

/**
 * Always 200. Redis is `up` only when it takes a write (a small key with a short expiry), not
 * merely a PING: a store out of memory or read-only answers PING but loses every login.
 */
@Controller()
@UseFilters(ProblemFilter)
export class HealthController {
  constructor(
    @Inject(WECHAT_STORE) private readonly store: WechatStore,
    @Inject(SANDBOX_FLAG) private readonly sandbox: boolean,
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
  ) {}

  @Get('health')
  @ApiTags('Operations')
  @ApiOkResponse({ type: HealthDto })
  async health(): Promise<HealthReport> {
    const base = { cache: this.store.kind, sandbox: this.sandbox };
    if (this.store.kind !== 'redis') return { status: 'ok', ...base, redis: 'unused' };
    const trouble = await this.writeTrouble();
    if (trouble === undefined) return { status: 'ok', ...base, redis: 'up' };
    return { status: 'degraded', ...base, redis: 'down', reason: trouble };
  }

  /** Undefined when a write went through; otherwise what stopped it. */
  private async writeTrouble(): Promise<string | undefined> {
    try {
      await this.store.set(`${this.options.keyPrefix}health`, Date.now(), PROBE_TTL_MS);
      return undefined;
    } catch (error) {
      if (!isRefusal(error)) return 'Redis is not answering';
      const said = String((error as Error).message ?? '').replace(/^the shared store refused the operation: /, '');
      return `Redis refuses writes: ${said.slice(0, 160)}`;
    }
  }
}
