import { ApiProperty, ApiPropertyOptional } from './api-docs.js';

/** The JSON error body, for the OpenAPI description. */
export class ProblemDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'INVALID_URL', description: 'stable machine code' })
  code: string;

  @ApiProperty({ example: 'url must be an absolute http: or https: url' })
  message: string;

  @ApiPropertyOptional({ example: 45009, description: "WeChat's errcode, when WeChat returned one" })
  errcode?: number;
}
