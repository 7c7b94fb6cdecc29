import { type DynamicModule, Module } from '@nestjs/common';
import { withControllers } from '../../common/with-controllers.js';
import { MetricsController } from './metrics.controller.js';
import { PrometheusMetrics } from './prometheus-metrics.js';

/** Prometheus metrics of the WeChat core at GET /metrics (needs WechatModule, which is global). */
@Module({ providers: [PrometheusMetrics], exports: [PrometheusMetrics] })
export class MetricsModule {
  static forRoot(options: { routes?: boolean; routePrefix?: string } = {}): DynamicModule {
    return withControllers({ module: MetricsModule }, options, [MetricsController]);
  }
}
