import { Body, Controller, Get, HttpCode, Post, Query, UseFilters, UsePipes } from '@nestjs/common';
import { ProblemFilter } from '../../common/problem.filter.js';
import { createValidationPipe } from '../../common/validation.pipe.js';
import { CardConfigBody, JssdkConfigBody, JssdkConfigQuery } from './jssdk.dto.js';
import { type ChooseCardConfig, SignatureService, type WxConfig } from './signature.service.js';

/** SPEC 3.1: the parameters for wx.config and wx.chooseCard. */
@Controller('wechat/jssdk')
@UseFilters(ProblemFilter)
@UsePipes(createValidationPipe())
export class JssdkController {
  constructor(private readonly signatures: SignatureService) {}

  @Post('config')
  @HttpCode(200)
  configFromBody(@Body() body: JssdkConfigBody): Promise<WxConfig> {
    return this.signatures.signConfig(body.url, body);
  }

  @Get('config')
  configFromQuery(@Query() query: JssdkConfigQuery): Promise<WxConfig> {
    return this.signatures.signConfig(query.url, query);
  }

  @Post('card-config')
  @HttpCode(200)
  cardConfig(@Body() body: CardConfigBody): Promise<ChooseCardConfig> {
    return this.signatures.signChooseCard(body);
  }
}
