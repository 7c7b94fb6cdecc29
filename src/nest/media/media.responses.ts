import { ApiProperty } from '../http/api-docs.js';
import type { MediaRecord } from '../../core/media/media-record.js';

/** The answer to a save. */
export class MediaRecordDto {
  @ApiProperty({ example: 'Hk3aWq0pVbC9m2J7x1YtZr8sLfN4uE6dGhI5oK0jMnP-Qw_RvTyU2aS3dF4gH5jK' }) mediaId: string;
  @ApiProperty({ example: 'audio/amr', description: 'as WeChat sent it (voice/speex for an HD voice)' }) contentType: string;
  @ApiProperty({ example: 5264, description: 'bytes' }) size: number;
  @ApiProperty({
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    description: 'hex sha256 of the bytes',
  })
  sha256: string;

  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) savedAt: string;
}

export type MediaRecordBody = Pick<MediaRecord, 'mediaId' | 'contentType' | 'size' | 'sha256' | 'savedAt'>;

export function toRecordBody(record: MediaRecord): MediaRecordBody {
  const { mediaId, contentType, size, sha256, savedAt } = record;
  return { mediaId, contentType, size, sha256, savedAt };
}
