import { Controller, Get, Header, Headers, Inject, UseFilters } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiOkResponse, ApiOperation, ApiTags } from '../http/api-docs.js';
import { HttpProblem } from '../http/http-problem.js';
import { ProblemFilter } from '../http/problem.filter.js';
import { PrometheusMetrics } from './prometheus-metrics.js';

/** The bearer a scrape must present; undefined: /metrics is open. */
export const METRICS_TOKEN = Symbol('METRICS_TOKEN');

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Prometheus text exposition; with a token, only for `Authorization: Bearer <token>` (consumer names and appIds are in it). */
@Controller('metrics')
@ApiTags('Operations')
@UseFilters(ProblemFilter)
export class MetricsController {
  private readonly expected?: Buffer;

  constructor(
    private readonly metrics: PrometheusMetrics,
    @Inject(METRICS_TOKEN) token: string | undefined,
  ) {
    this.expected = token === undefined ? undefined : digest(token);
  }

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics (credential refreshes and cache lookups, WeChat calls, signatures, logins) by app_id',
  })
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } })
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(@Headers('authorization') authorization: unknown): Promise<string> {
    if (this.expected && !this.authorized(authorization))
      throw new HttpProblem(401, 'UNAUTHORIZED', 'a valid bearer token is required (Authorization: Bearer <METRICS_TOKEN>)');
    return this.metrics.registry.metrics();
  }

  private authorized(authorization: unknown): boolean {
    const match = typeof authorization === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(authorization) : null;
    return !!match && timingSafeEqual(digest(match[1]!), this.expected!);
  }
}
