import { Body, Controller, Get, HttpCode, Post, Query, UseFilters } from '@nestjs/common';
import {
  ApiBadRequestResponse, ApiBadGatewayResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags,
} from '@nestjs/swagger';
import { ProblemDto } from '../../common/problem.dto.js';
import { ProblemFilter } from '../../common/problem.filter.js';
import { ChooseCardConfigDto, WxConfigDto } from './jssdk.responses.js';
import { SchemaPipe } from '../../common/schema.pipe.js';
import {
  CARD_CONFIG_BODY_SCHEMA, CardConfigBody, JSSDK_CONFIG_BODY_SCHEMA, JSSDK_CONFIG_QUERY_SCHEMA, JssdkConfigBody,
  JssdkConfigQuery, splitList,
} from './jssdk.dto.js';
import { type ChooseCardConfig, SignatureService, type WxConfig } from './signature.service.js';

/** SPEC 3.1: the parameters for wx.config and wx.chooseCard. */
@Controller('wechat/jssdk')
@ApiTags('JS-SDK')
@ApiBadRequestResponse({ type: ProblemDto, description: 'INVALID_URL, DOMAIN_NOT_ALLOWED or VALIDATION_FAILED; WeChat is not called' })
@ApiBadGatewayResponse({ type: ProblemDto, description: 'WECHAT_API_ERROR: WeChat refused (with errcode)' })
@ApiServiceUnavailableResponse({ type: ProblemDto, description: 'WECHAT_UNAVAILABLE: WeChat unreachable or failing after retries' })
@UseFilters(ProblemFilter)
export class JssdkController {
  constructor(private readonly signatures: SignatureService) {}

  @Post('config')
  @HttpCode(200)
  @ApiOperation({ summary: 'wx.config parameters for a page url' })
  @ApiOkResponse({ type: WxConfigDto })
  configFromBody(@Body(new SchemaPipe(JSSDK_CONFIG_BODY_SCHEMA, 'url')) body: JssdkConfigBody): Promise<WxConfig> {
    return this.signatures.signConfig(body.url, body);
  }

  @Get('config')
  @ApiOperation({ summary: 'wx.config parameters, url in the query string' })
  @ApiOkResponse({ type: WxConfigDto })
  configFromQuery(@Query(new SchemaPipe(JSSDK_CONFIG_QUERY_SCHEMA, 'url')) query: JssdkConfigQuery): Promise<WxConfig> {
    return this.signatures.signConfig(query.url, {
      jsApiList: splitList(query.jsApiList),
      openTagList: splitList(query.openTagList),
      debug: query.debug === undefined ? undefined : query.debug === 'true',
    });
  }

  @Post('card-config')
  @HttpCode(200)
  @ApiOperation({ summary: 'wx.chooseCard parameters signed with the wx_card api_ticket' })
  @ApiOkResponse({ type: ChooseCardConfigDto })
  cardConfig(@Body(new SchemaPipe(CARD_CONFIG_BODY_SCHEMA)) body: CardConfigBody): Promise<ChooseCardConfig> {
    return this.signatures.signChooseCard(body);
  }
}
