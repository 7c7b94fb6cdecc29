import {
  Controller,
  Get,
  Param,
  StreamableFile,
  type PipeTransform,
  Post,
  Query,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiForbiddenResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '../common/api-docs.js';
import { HttpAdapterHost } from '@nestjs/core';
import { HttpProblem } from '../common/http-problem.js';
import { ProblemDto } from '../common/problem.dto.js';
import { ProblemFilter } from '../common/problem.filter.js';
import { NotAuthenticatedDto } from '../oauth/oauth.responses.js';
import type { SessionUser } from '../oauth/session-user.js';
import { WechatAuthGuard } from '../oauth/wechat-auth.guard.js';
import { WechatUser } from '../oauth/wechat-user.decorator.js';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { requestedAppId } from '../accounts/account-config.js';
import { WechatAccounts } from '../accounts/wechat-accounts.js';
import type { MediaOwner } from './media-record.js';
import { assertMediaId } from './media-id.js';
import { MediaRecordDto, type MediaRecordBody, toRecordBody } from './media.responses.js';
import { MediaService } from './media.service.js';

/** 400 before anything else looks at an id that could not be a media id (or a file name). */
const MediaIdPipe: PipeTransform<unknown, string> = {
  transform(value: unknown): string {
    assertMediaId(value);
    return value;
  },
};

function parseHd(value: unknown): boolean {
  if (value === undefined || value === '0' || value === 'false') return false;
  if (value === '1' || value === 'true') return true;
  throw new HttpProblem(400, 'VALIDATION_FAILED', 'hd must be 1 (or true) when given');
}

/** Save a JS-SDK upload (`serverId`) before WeChat deletes it, and read it back. */
@Controller('wechat/media')
@ApiTags('Media')
@ApiCookieAuth('wechat_sid')
@ApiQuery({ name: 'appId', required: false, description: "the media id's account; default: the one the user logged in through" })
@ApiParam({
  name: 'mediaId',
  description: 'the media_id (a serverId from wx.uploadVoice / wx.uploadImage): 1-100 of [A-Za-z0-9_-]',
})
@ApiBadRequestResponse({ type: ProblemDto, description: 'INVALID_MEDIA_ID (or VALIDATION_FAILED for hd)' })
@ApiUnauthorizedResponse({ type: NotAuthenticatedDto, description: 'NOT_AUTHENTICATED' })
@UseFilters(ProblemFilter)
export class MediaController {
  constructor(
    private readonly media: MediaService,
    private readonly accounts: WechatAccounts,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** The account and user a media belongs to: the session user's (a session from before accounts: the default's). */
  private ownerOf(user: SessionUser): MediaOwner {
    return { appId: user.appId ?? this.accounts.default.appId, openid: user.openid };
  }

  /** The media id's account: an explicit `appId`, else the one the user logged in through. */
  private accountOf(appId: unknown, user: SessionUser): string {
    if (appId === undefined) return this.ownerOf(user).appId;
    return this.accounts.get(requestedAppId(appId)).appId;
  }

  @Post(':mediaId')
  @UseGuards(RateLimitGuard, WechatAuthGuard)
  @ApiOperation({ summary: 'download the media from WeChat and keep it (once per media id)' })
  @ApiQuery({
    name: 'hd',
    required: false,
    enum: ['1', '0'],
    description: '1: a voice as 16 kHz speex (cgi-bin/media/get/jssdk)',
  })
  @ApiCreatedResponse({ type: MediaRecordDto, description: 'downloaded and saved by this request' })
  @ApiOkResponse({ type: MediaRecordDto, description: 'already saved: WeChat was not called' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'MEDIA_NOT_FOUND: WeChat does not know the id (40007) or it expired' })
  @ApiPayloadTooLargeResponse({ type: ProblemDto, description: 'MEDIA_TOO_LARGE: past the configured limit; nothing kept' })
  @ApiUnprocessableEntityResponse({
    type: ProblemDto,
    description: 'MEDIA_IS_VIDEO: WeChat gives videos as a url (videoUrl); not saved',
  })
  @ApiForbiddenResponse({ type: ProblemDto, description: "SNAPSHOT_USER: a snapshot page's virtual user cannot save" })
  @ApiTooManyRequestsResponse({ type: ProblemDto, description: 'RATE_LIMITED, with Retry-After' })
  @ApiBadGatewayResponse({ type: ProblemDto, description: 'WECHAT_API_ERROR: WeChat refused (with errcode)' })
  @ApiServiceUnavailableResponse({
    type: ProblemDto,
    description: 'WECHAT_UNAVAILABLE, or MEDIA_BUSY while another instance saves it',
  })
  async save(
    @Param('mediaId', MediaIdPipe) mediaId: string,
    @Query('hd') hd: unknown,
    @Query('appId') appId: unknown,
    @WechatUser() user: SessionUser,
    @Res({ passthrough: true }) reply: object,
  ): Promise<MediaRecordBody> {
    // a snapshot page's ids are virtual: nothing saved under them could be found again
    if (user.isSnapshotUser)
      throw new HttpProblem(403, 'SNAPSHOT_USER', 'a snapshot-page user cannot save media; open the page for real first');
    const { record, created } = await this.media.save(mediaId, {
      hd: parseHd(hd),
      owner: this.ownerOf(user),
      appId: this.accountOf(appId, user),
    });
    this.adapterHost.httpAdapter.status(reply, created ? 201 : 200);
    return toRecordBody(record);
  }

  @Get(':mediaId')
  @UseGuards(WechatAuthGuard)
  @ApiOperation({ summary: 'the saved bytes, with their Content-Type and Content-Length' })
  @ApiOkResponse({
    description: 'the bytes, with the Content-Type WeChat gave (image/jpeg, audio/amr, voice/speex...)',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'MEDIA_NOT_FOUND: not saved here, or saved by someone else' })
  async read(
    @Param('mediaId', MediaIdPipe) mediaId: string,
    @Query('appId') appId: unknown,
    @WechatUser() user: SessionUser,
    @Res({ passthrough: true }) reply: object,
  ): Promise<StreamableFile> {
    const { record, body } = await this.media.open(mediaId, this.ownerOf(user), this.accountOf(appId, user));
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(reply, 'etag', `"${record.sha256}"`);
    adapter.setHeader(reply, 'accept-ranges', 'none');
    // a media id never changes content; it is private to logged-in users
    adapter.setHeader(reply, 'cache-control', 'private, max-age=31536000, immutable');
    adapter.setHeader(reply, 'x-content-type-options', 'nosniff');
    adapter.setHeader(reply, 'content-security-policy', "default-src 'none'; sandbox");
    return new StreamableFile(body, { type: record.contentType, length: record.size });
  }
}
