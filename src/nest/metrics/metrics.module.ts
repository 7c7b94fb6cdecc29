import { type DynamicModule, Module } from '@nestjs/common';
import { withControllers } from '../http/with-controllers.js';
import { METRICS_TOKEN, MetricsController } from './metrics.controller.js';
import { PrometheusMetrics } from './prometheus-metrics.js';

export interface MetricsModuleOptions {
  /** false: no /metrics route (the counters are still kept for the host's own registry) */
  routes?: boolean;
  routePrefix?: string;
  /** the bearer /metrics asks for (at least 32 characters); absent: /metrics is open */
  token?: string;
}

/** Prometheus metrics of the WeChat core at GET /metrics (needs WechatModule, which is global). */
@Module({ providers: [PrometheusMetrics], exports: [PrometheusMetrics] })
export class MetricsModule {
  static forRoot(options: MetricsModuleOptions = {}): DynamicModule {
    if (options.token !== undefined && options.token.length < 32)
      throw new Error('MetricsModule: token must be at least 32 characters');
    const module = withControllers({ module: MetricsModule }, options, [MetricsController]);
    return { ...module, providers: [...(module.providers ?? []), { provide: METRICS_TOKEN, useValue: options.token }] };
  }
}
