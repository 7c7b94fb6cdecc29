import { Controller, Get, Inject, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '../common/api-docs.js';
import { ProblemFilter } from '../common/problem.filter.js';
import { WECHAT_STORE, type WechatStore } from '../store/wechat-store.js';
import { SANDBOX_FLAG } from './ops.constants.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  cache: 'redis' | 'memory';
  redis: 'up' | 'down' | 'unused';
  sandbox: boolean;
}

class HealthDto implements HealthReport {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status: 'ok' | 'degraded';
  @ApiProperty({ enum: ['redis', 'memory'] }) cache: 'redis' | 'memory';
  @ApiProperty({ enum: ['up', 'down', 'unused'] }) redis: 'up' | 'down' | 'unused';
  @ApiProperty() sandbox: boolean;
}

/** Always 200; `degraded` while the shared store (Redis) does not answer within its time limit. */
@Controller()
@UseFilters(ProblemFilter)
export class HealthController {
  constructor(
    @Inject(WECHAT_STORE) private readonly store: WechatStore,
    @Inject(SANDBOX_FLAG) private readonly sandbox: boolean,
  ) {}

  @Get('health')
  @ApiTags('Operations')
  @ApiOkResponse({ type: HealthDto })
  async health(): Promise<HealthReport> {
    const redis = this.store.kind === 'redis' ? ((await this.store.ping()) ? 'up' : 'down') : 'unused';
    return { status: redis === 'down' ? 'degraded' : 'ok', cache: this.store.kind, redis, sandbox: this.sandbox };
  }
}
