import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const API_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const TAG_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const CARD_FIELD = /^[A-Za-z0-9_-]{0,64}$/;

const csv = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;
const bool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** POST /wechat/jssdk/config. The url's own rules live in page-url.ts (INVALID_URL). */
export class JssdkConfigBody {
  @ApiProperty({ description: "the page url, as location.href.split('#')[0]; signed byte for byte", example: 'https://h5.example.com/page?x=1' })
  @IsString()
  url: string;

  @ApiPropertyOptional({ type: [String], example: ['updateAppMessageShareData'] })
  @IsOptional() @IsArray() @ArrayMaxSize(200)
  @IsString({ each: true }) @Matches(API_NAME, { each: true, message: 'jsApiList holds JS-SDK api names' })
  jsApiList?: string[];

  @ApiPropertyOptional({ type: [String], example: ['wx-open-launch-weapp'] })
  @IsOptional() @IsArray() @ArrayMaxSize(50)
  @IsString({ each: true }) @Matches(TAG_NAME, { each: true, message: 'openTagList holds open tag names' })
  openTagList?: string[];

  @ApiPropertyOptional({ default: false })
  @IsOptional() @IsBoolean()
  debug?: boolean;
}

/** GET /wechat/jssdk/config?url=...&jsApiList=a,b&openTagList=x&debug=true */
export class JssdkConfigQuery {
  @ApiProperty({ description: 'the page url without fragment, encoded once', example: 'https://h5.example.com/page?x=1' })
  @IsString()
  url: string;

  @ApiPropertyOptional({ description: 'comma-separated', example: 'updateAppMessageShareData,chooseImage' })
  @IsOptional() @Transform(csv) @IsArray() @ArrayMaxSize(200)
  @IsString({ each: true }) @Matches(API_NAME, { each: true, message: 'jsApiList holds JS-SDK api names' })
  jsApiList?: string[];

  @ApiPropertyOptional({ description: 'comma-separated', example: 'wx-open-launch-weapp' })
  @IsOptional() @Transform(csv) @IsArray() @ArrayMaxSize(50)
  @IsString({ each: true }) @Matches(TAG_NAME, { each: true, message: 'openTagList holds open tag names' })
  openTagList?: string[];

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional() @Transform(bool) @IsBoolean()
  debug?: boolean;
}

/** POST /wechat/jssdk/card-config: the filters of wx.chooseCard, all optional. */
export class CardConfigBody {
  @ApiPropertyOptional({ description: 'location_id of a shop', example: '123' })
  @IsOptional() @IsString() @MaxLength(64) @Matches(CARD_FIELD)
  shopId?: string;

  @ApiPropertyOptional({ example: 'GROUPON' })
  @IsOptional() @IsString() @MaxLength(64) @Matches(CARD_FIELD)
  cardType?: string;

  @ApiPropertyOptional({ example: 'pDF3iY9tv9zCGCj4jTXFOo1DxHdo' })
  @IsOptional() @IsString() @MaxLength(64) @Matches(CARD_FIELD)
  cardId?: string;
}
