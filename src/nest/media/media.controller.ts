import {
  Controller,
  Get,
  Headers,
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
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '../http/api-docs.js';
import { HttpAdapterHost } from '@nestjs/core';
import { asHttpProblem, HttpProblem } from '../http/http-problem.js';
import { ProblemDto } from '../http/problem.dto.js';
import { ProblemFilter } from '../http/problem.filter.js';
import { NotAuthenticatedDto } from '../oauth/oauth.responses.js';
import type { SessionUser } from '../../core/oauth/session-user.js';
import { WechatAuthGuard } from '../oauth/wechat-auth.guard.js';
import { WechatUser } from '../oauth/wechat-user.decorator.js';
import { RateLimitFamily, RateLimitGuard } from '../rate-limit/rate-limit.guard.js';
import { requestedAppId } from '../../core/accounts/account-config.js';
import { WechatAccounts } from '../../core/accounts/wechat-accounts.js';
import type { MediaOwner } from '../../core/media/media-record.js';
import { assertMediaId } from '../../core/media/media-id.js';
import { MediaRecordDto, type MediaRecordBody, toRecordBody } from './media.responses.js';
import { accountNotAllowed, mediaNotFound, retryAfterOfProblem } from '../../core/media/media-problems.js';
import { MediaService } from '../../core/media/media.service.js';
import { contentRange, requestedRange } from '../../core/media/byte-range.js';
import type { MediaRendition } from '../../core/media/media-storage.js';

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
  throw new HttpProblem(400, 'VALIDATION_FAILED', 'hd must be 1 or true (or 0, false) when given');
}

function parseFormat(value: unknown): MediaRendition | undefined {
  if (value === undefined) return undefined;
  if (value === 'mp3') return 'mp3';
  throw new HttpProblem(400, 'VALIDATION_FAILED', 'format must be mp3 when given');
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

  /**
   * The media id's account: the one the user logged in through. An explicit `appId` must name it
   * (403 otherwise): a user never spends another account's quota or calls WeChat for it.
   */
  private accountOf(appId: unknown, user: SessionUser): string {
    const own = this.ownerOf(user).appId;
    if (appId === undefined) return own;
    if (this.accounts.get(requestedAppId(appId)).appId !== own) throw accountNotAllowed();
    return own;
  }

  /** The work's answer; a problem that asks the client to come back later carries Retry-After. */
  private async withRetryAfter<T>(reply: object, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const problem = asHttpProblem(error);
      const retryAfter = retryAfterOfProblem(problem);
      if (retryAfter !== undefined) this.adapterHost.httpAdapter.setHeader(reply, 'retry-after', String(retryAfter));
      throw problem;
    }
  }

  @Post(':mediaId')
  @UseGuards(RateLimitGuard, WechatAuthGuard)
  @RateLimitFamily('media')
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
  @ApiForbiddenResponse({
    type: ProblemDto,
    description:
      "SNAPSHOT_USER: a snapshot page's virtual user cannot save; ACCOUNT_NOT_ALLOWED: appId is not the user's account",
  })
  @ApiTooManyRequestsResponse({ type: ProblemDto, description: 'RATE_LIMITED, with Retry-After' })
  @ApiBadGatewayResponse({ type: ProblemDto, description: 'WECHAT_API_ERROR: WeChat refused (with errcode)' })
  @ApiServiceUnavailableResponse({
    type: ProblemDto,
    description: 'WECHAT_UNAVAILABLE, or MEDIA_BUSY (with Retry-After) while another instance saves it',
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
    const account = this.accountOf(appId, user);
    const options = { hd: parseHd(hd), owner: this.ownerOf(user), appId: account };
    const { record, created } = await this.withRetryAfter(reply, () => this.media.save(mediaId, options));
    this.adapterHost.httpAdapter.status(reply, created ? 201 : 200);
    return toRecordBody(record);
  }

  @Get(':mediaId')
  @UseGuards(WechatAuthGuard)
  @ApiOperation({ summary: 'the saved bytes (or a Range of them), with their Content-Type and Content-Length' })
  @ApiQuery({
    name: 'format',
    required: false,
    enum: ['mp3'],
    description: 'mp3: a voice as MP3 that browsers play (made once with ffmpeg, then kept)',
  })
  @ApiOkResponse({
    description: 'the bytes, with the Content-Type WeChat gave (image/jpeg, audio/amr, voice/speex...), or audio/mpeg',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiResponse({ status: 206, description: 'the part a Range header asked for, with Content-Range' })
  @ApiResponse({ status: 416, type: ProblemDto, description: 'RANGE_NOT_SATISFIABLE, with Content-Range: bytes */size' })
  @ApiResponse({ status: 415, type: ProblemDto, description: 'FORMAT_UNAVAILABLE: no mp3 (not a voice, or no ffmpeg)' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'MEDIA_NOT_FOUND: not saved here, or saved by someone else' })
  @ApiForbiddenResponse({ type: ProblemDto, description: "ACCOUNT_NOT_ALLOWED: appId is not the user's account" })
  @ApiTooManyRequestsResponse({
    type: ProblemDto,
    description: 'RATE_LIMITED (format=mp3: new renditions per user), with Retry-After',
  })
  @ApiServiceUnavailableResponse({
    type: ProblemDto,
    description: 'MEDIA_BUSY (no transcoding slot, or another instance is at it) or TRANSCODE_TIMEOUT, with Retry-After',
  })
  async read(
    @Param('mediaId', MediaIdPipe) mediaId: string,
    @Query('appId') appId: unknown,
    @Query('format') format: unknown,
    @Headers('range') rangeHeader: unknown,
    @Headers('if-range') ifRange: unknown,
    @WechatUser() user: SessionUser,
    @Res({ passthrough: true }) reply: object,
  ): Promise<StreamableFile> {
    const rendition = parseFormat(format);
    const owner = this.ownerOf(user);
    const account = this.accountOf(appId, user);
    const adapter = this.adapterHost.httpAdapter;
    const found = await this.withRetryAfter(reply, () =>
      rendition ? this.media.rendition(mediaId, rendition, owner, account) : this.media.find(mediaId, owner, account),
    );
    if (!found) throw mediaNotFound();
    const asked = requestedRange(found.size, rangeHeader, ifRange, `"${found.sha256}"`);
    if (asked.kind === 'unsatisfiable') {
      adapter.setHeader(reply, 'content-range', contentRange(found.size));
      throw new HttpProblem(416, 'RANGE_NOT_SATISFIABLE', `the range is outside the media's ${found.size} bytes`, {
        size: found.size,
      });
    }
    const range = asked.kind === 'part' ? asked.range : undefined;
    const {
      record,
      body,
      range: served,
    } = await this.withRetryAfter(reply, () =>
      this.media.open(mediaId, owner, account, { ...(rendition && { format: rendition }), ...(range && { range }) }),
    );
    adapter.setHeader(reply, 'etag', `"${record.sha256}"`);
    adapter.setHeader(reply, 'accept-ranges', 'bytes');
    adapter.setHeader(reply, 'vary', 'range');
    // a media id never changes content; it is private to logged-in users
    adapter.setHeader(reply, 'cache-control', 'private, max-age=31536000, immutable');
    adapter.setHeader(reply, 'x-content-type-options', 'nosniff');
    adapter.setHeader(reply, 'content-security-policy', "default-src 'none'; sandbox");
    if (served) {
      adapter.status(reply, 206);
      adapter.setHeader(reply, 'content-range', contentRange(record.size, served));
      return new StreamableFile(body, { type: record.contentType, length: served.end - served.start + 1 });
    }
    return new StreamableFile(body, { type: record.contentType, length: record.size });
  }
}
