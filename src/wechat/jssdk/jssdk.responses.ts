import { ApiProperty } from '@nestjs/swagger';

/** What the page passes to wx.config as it is. */
export class WxConfigDto {
  @ApiProperty({ example: 'wx5a0d8b0c1e2f3a4b' })
  appId: string;

  @ApiProperty({ example: 1414587457, description: 'seconds since the epoch (integer)' })
  timestamp: number;

  @ApiProperty({ example: 'Wm3WZYTPz0wzccnW', description: '16 characters of [A-Za-z0-9] from a CSPRNG' })
  nonceStr: string;

  @ApiProperty({ example: '0f9de62fce790f9a083d5c99e95740ceb90c27ed', description: '40 lower-case hex characters' })
  signature: string;

  @ApiProperty({ type: [String], example: ['updateAppMessageShareData'] })
  jsApiList: string[];

  @ApiProperty({ type: [String], example: [] })
  openTagList: string[];

  @ApiProperty({ example: false })
  debug: boolean;
}

/** The parameters of wx.chooseCard. */
export class ChooseCardConfigDto {
  @ApiProperty({ example: '' }) shopId: string;
  @ApiProperty({ example: 'GROUPON' }) cardType: string;
  @ApiProperty({ example: '' }) cardId: string;
  @ApiProperty({ example: 1414587457 }) timestamp: number;
  @ApiProperty({ example: 'Wm3WZYTPz0wzccnW' }) nonceStr: string;
  @ApiProperty({ enum: ['SHA1'] }) signType: 'SHA1';
  @ApiProperty({ example: 'f4d90daf4b3bca3078ab155816175ba34c443a7b' }) cardSign: string;
}
