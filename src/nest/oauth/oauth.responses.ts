import { ApiProperty, ApiPropertyOptional } from '../http/api-docs.js';
import { ProblemDto } from '../http/problem.dto.js';

export class SessionUserDto {
  @ApiProperty({ example: 'wx5a0d8b0c1e2f3a4b', description: 'the Official Account the user logged in through' }) appId: string;
  @ApiProperty({ example: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M' }) openid: string;
  @ApiPropertyOptional({ example: 'o6_bmasdasdsad6_2sgVt7hMZOPfL' }) unionid?: string;
  @ApiPropertyOptional({ example: 'Alice' }) nickname?: string;
  @ApiPropertyOptional({ example: 'https://thirdwx.qlogo.cn/mmopen/abc/132' }) avatarUrl?: string;
  @ApiProperty({ enum: ['snsapi_base', 'snsapi_userinfo'] }) scope: string;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) loggedInAt: string;
  @ApiPropertyOptional({ description: 'a snapshot-page (快照页) virtual user' }) isSnapshotUser?: boolean;
}

export class NotAuthenticatedDto extends ProblemDto {
  @ApiProperty({ example: '/wechat/oauth/login?returnTo=%2Forders' }) loginUrl: string;
}
