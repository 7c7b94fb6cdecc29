import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { isHandoffTicket } from '../../core/oauth/handoff.js';
import { HttpProblem } from '../../nest/http/http-problem.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/validate-env.js';
import { DEMO_PAGE, DEMO_SCRIPT } from './demo-page.js';

/** Sandbox mode only: a page that signs itself and runs the whole OAuth login in a browser. */
@Controller()
@ApiExcludeController()
export class DemoController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'")
  page(): string {
    return DEMO_PAGE;
  }

  @Get('demo.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  script(): string {
    return DEMO_SCRIPT;
  }

  /** The QR code of a login handoff's phone page (only of this service's own handoff url: no open QR maker). */
  @Get('demo/handoff-qr.svg')
  @Header('content-type', 'image/svg+xml')
  @Header('cache-control', 'no-store')
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
  async handoffQr(@Query('ticket') ticket?: unknown): Promise<string> {
    if (!isHandoffTicket(ticket)) throw new HttpProblem(400, 'VALIDATION_FAILED', 'ticket must be a handoff ticket');
    // loaded with the first QR code, not at start: only the sandbox's demo draws one
    const { renderSVG } = await import('uqr');
    return renderSVG(`${this.config.publicBaseUrl}/wechat/oauth/handoff/${ticket}`, { border: 2 });
  }
}
