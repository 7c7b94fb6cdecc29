import { Injectable } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';

/**
 * Paths as the application serves them: under `app.setGlobalPrefix()` when the host set one. Read
 * when a path is needed (the prefix is set after the modules are built, before the app starts).
 */
@Injectable()
export class GlobalPrefix {
  constructor(private readonly config: ApplicationConfig) {}

  /** `/wechat/oauth/login` → `/api/wechat/oauth/login` under `setGlobalPrefix('api')`. */
  apply(path: string): string {
    const prefix = this.config.getGlobalPrefix().replace(/^\/+|\/+$/g, '');
    return prefix ? `/${prefix}${path}` : path;
  }
}
