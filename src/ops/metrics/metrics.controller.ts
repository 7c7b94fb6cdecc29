import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '../../common/api-docs.js';
import { PrometheusMetrics } from './prometheus-metrics.js';

/** Prometheus text exposition. */
@Controller('metrics')
@ApiExcludeController()
export class MetricsController {
  constructor(private readonly metrics: PrometheusMetrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
