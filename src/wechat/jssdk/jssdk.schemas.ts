import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const API_NAME = '^[A-Za-z][A-Za-z0-9_]{0,63}$';
const TAG_NAME = '^[a-z][a-z0-9-]{0,63}$';
const CARD_FIELD = '^[A-Za-z0-9_-]{0,64}$';
const CSV = (item: string) => `^$|^${item.slice(1, -1)}(,${item.slice(1, -1)})*$`;

// The JSON schemas validate (SchemaPipe); the classes describe the same shapes for OpenAPI.
// jssdk.dto.spec.ts keeps the two in step.

/** POST /wechat/jssdk/config. The url's own rules live in page-url.ts (INVALID_URL). */
export const JSSDK_CONFIG_BODY_SCHEMA = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { type: 'string' },
    jsApiList: { type: 'array', maxItems: 200, items: { type: 'string', pattern: API_NAME } },
    openTagList: { type: 'array', maxItems: 50, items: { type: 'string', pattern: TAG_NAME } },
    debug: { type: 'boolean' },
  },
} as const;

export class JssdkConfigBody {
  @ApiProperty({ description: "the page url, as location.href.split('#')[0]; signed byte for byte", example: 'https://h5.example.com/page?x=1' })
  url: string;

  @ApiPropertyOptional({ type: [String], maxItems: 200, example: ['updateAppMessageShareData'] })
  jsApiList?: string[];

  @ApiPropertyOptional({ type: [String], maxItems: 50, example: ['wx-open-launch-weapp'] })
  openTagList?: string[];

  @ApiPropertyOptional({ default: false })
  debug?: boolean;
}

/** GET /wechat/jssdk/config?url=...&jsApiList=a,b&openTagList=x&debug=true */
export const JSSDK_CONFIG_QUERY_SCHEMA = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { type: 'string' },
    jsApiList: { type: 'string', maxLength: 13000, pattern: CSV(API_NAME) },
    openTagList: { type: 'string', maxLength: 3300, pattern: CSV(TAG_NAME) },
    debug: { type: 'string', enum: ['true', 'false'] },
  },
} as const;

export class JssdkConfigQuery {
  @ApiProperty({ description: 'the page url without fragment, encoded once', example: 'https://h5.example.com/page?x=1' })
  url: string;

  @ApiPropertyOptional({ description: 'comma-separated', example: 'updateAppMessageShareData,chooseImage' })
  jsApiList?: string;

  @ApiPropertyOptional({ description: 'comma-separated', example: 'wx-open-launch-weapp' })
  openTagList?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  debug?: 'true' | 'false';
}

/** POST /wechat/jssdk/card-config: the filters of wx.chooseCard, all optional. */
export const CARD_CONFIG_BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    shopId: { type: 'string', pattern: CARD_FIELD },
    cardType: { type: 'string', pattern: CARD_FIELD },
    cardId: { type: 'string', pattern: CARD_FIELD },
  },
} as const;

export class CardConfigBody {
  @ApiPropertyOptional({ description: 'location_id of a shop', example: '123' })
  shopId?: string;

  @ApiPropertyOptional({ example: 'GROUPON' })
  cardType?: string;

  @ApiPropertyOptional({ example: 'pDF3iY9tv9zCGCj4jTXFOo1DxHdo' })
  cardId?: string;
}

export const splitList = (csv: string | undefined): string[] | undefined =>
  csv === undefined ? undefined : csv.split(',').filter(Boolean);
