import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '../../common/api-docs.js';
import { PrometheusMetrics } from './prometheus-metrics.js';

/** Prometheus text exposition. */
@Controller('metrics')
@ApiTags('Operations')
export class MetricsController {
  constructor(private readonly metrics: PrometheusMetrics) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics (credential refreshes and cache lookups, WeChat calls, signatures, logins) by app_id',
  })
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } })
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
