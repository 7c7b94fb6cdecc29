import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DEMO_PAGE, DEMO_SCRIPT } from './demo-page.js';

/** Sandbox mode only: a page that signs itself and runs the whole OAuth login in a browser. */
@Controller()
@ApiExcludeController()
export class DemoController {
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
}
