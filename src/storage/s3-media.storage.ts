import { randomBytes } from 'node:crypto';
import { type Readable } from 'node:stream';
import { loadPeer } from '../core/load-peer.js';
import { isValidMediaId } from '../core/media/media-id.js';
import { isMediaRecord, type MediaRecord } from '../core/media/media-record.js';
import { readSmall, sliceOf } from './s3-bodies.js';
import { isMissingObject, MissingBucketLog, statusOf, storageProblem } from './s3-failures.js';
import type { MediaOpenOptions, MediaRendition, MediaSaveMeta, MediaStorage, StoredMedia } from '../core/media/media-storage.js';

type S3Sdk = typeof import('@aws-sdk/client-s3');
type LibStorage = typeof import('@aws-sdk/lib-storage');
type S3Client = import('@aws-sdk/client-s3').S3Client;

/** Where the media go: any S3-compatible object store (AWS S3, MinIO, Tencent COS, Alibaba OSS...). */
export interface S3MediaStorageOptions {
  bucket: string;
  /** prepended to every key; default `media/` */
  prefix?: string;
  /** the store's endpoint, e.g. https://cos.ap-shanghai.myqcloud.com; default: AWS for `region` */
  endpoint?: string;
  /** default us-east-1 (most S3-compatible stores ignore it) */
  region?: string;
  /** default: the AWS SDK's own chain (environment, profile, instance role) */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `bucket` in the path instead of the host name (MinIO and most self-hosted stores) */
  forcePathStyle?: boolean;
  /**
   * an `S3Client` of the host's own (from `@aws-sdk/client-s3`); then endpoint, region and keys are
   * not used. Typed loosely so that hosts without the SDK still compile against this package.
   */
  client?: object;
  /**
   * longest silence on a connection to the store, and longest wait to connect (at most 5 s), ms;
   * a request's answer must also start within three times this. Two tries per request. Default 10000
   */
  requestTimeoutMs?: number;
  /** bytes per part of a multipart upload (at least 5 MiB); default 5 MiB */
  partSize?: number;
}

const MiB = 1024 * 1024;
const MAX_RECORD_BYTES = 64 * 1024;
const UPLOADS = '.uploads/';

interface Shared {
  sdk: S3Sdk;
  lib: LibStorage;
  client: S3Client;
  bucket: string;
  partSize: number;
  missingBucket: MissingBucketLog;
}

export const DEFAULT_S3_REQUEST_TIMEOUT_MS = 10_000;
const MAX_CONNECT_MS = 5000;

/** A stalled store fails a request in bounded time: silence, connecting, and the whole wait for an answer. */
function timeoutsOf(timeoutMs: number) {
  return {
    connectionTimeout: Math.min(timeoutMs, MAX_CONNECT_MS),
    socketTimeout: timeoutMs,
    requestTimeout: 3 * timeoutMs,
    throwOnRequestTimeout: true,
  };
}

/**
 * MediaStorage on an S3-compatible object store, streamed both ways. A save uploads the bytes
 * (multipart for large ones, a part at a time in memory) under a temporary key in `.uploads/`,
 * copies them into place inside the store and writes the record last: the record is the
 * commit mark, written only when none is there (`If-None-Match: *` where the store supports
 * it), so the first save of an id wins and a save cut short leaves no record. A lifecycle rule
 * that expires `<prefix>.uploads/` after a day clears what a killed process left.
 */
export class S3MediaStorage implements MediaStorage {
  private readonly accounts = new Map<string, S3MediaStorage>();
  private readonly renditions = new Map<MediaRendition, S3MediaStorage>();

  private constructor(
    private readonly shared: Shared,
    readonly prefix: string,
  ) {}

  /** Loads the AWS SDK (optional peers `@aws-sdk/client-s3` and `@aws-sdk/lib-storage`) and connects. */
  static async create(options: S3MediaStorageOptions): Promise<S3MediaStorage> {
    if (!options.bucket) throw new Error('S3MediaStorage: bucket is required');
    const partSize = options.partSize ?? 5 * MiB;
    if (!Number.isSafeInteger(partSize) || partSize < 5 * MiB) throw new Error('S3MediaStorage: partSize must be at least 5 MiB');
    const sdk = await loadPeer<S3Sdk>('@aws-sdk/client-s3', 'MEDIA_STORAGE=s3');
    const lib = await loadPeer<LibStorage>('@aws-sdk/lib-storage', 'MEDIA_STORAGE=s3');
    const timeout = options.requestTimeoutMs ?? DEFAULT_S3_REQUEST_TIMEOUT_MS;
    if (!Number.isFinite(timeout) || timeout <= 0) throw new Error('S3MediaStorage: requestTimeoutMs must be positive');
    const client =
      (options.client as S3Client | undefined) ??
      new sdk.S3Client({
        region: options.region || 'us-east-1',
        ...(options.endpoint && { endpoint: options.endpoint }),
        forcePathStyle: options.forcePathStyle === true,
        ...(options.accessKeyId &&
          options.secretAccessKey && {
            credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
          }),
        requestHandler: timeoutsOf(timeout),
        maxAttempts: 2,
        // S3-compatible stores do not all know the newer checksum headers
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
    const missingBucket = new MissingBucketLog(options.bucket);
    return new S3MediaStorage({ sdk, lib, client, bucket: options.bucket, partSize, missingBucket }, options.prefix ?? 'media/');
  }

  forAccount(appId: string): S3MediaStorage {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(appId)) throw new Error('S3MediaStorage: not an appId');
    let storage = this.accounts.get(appId);
    if (!storage) this.accounts.set(appId, (storage = new S3MediaStorage(this.shared, `${this.prefix}${appId}/`)));
    return storage;
  }

  /** A user's own copies go under `.owners/<key>/`, a name no appId or media id can have. */
  forOwner(key: string): S3MediaStorage {
    if (!/^[0-9a-f]{16,64}$/.test(key)) throw new Error('S3MediaStorage: not an owner key');
    return new S3MediaStorage(this.shared, `${this.prefix}.owners/${key}/`);
  }

  /** Renditions go under `.mp3/`, a name no appId can have. */
  rendition(format: MediaRendition): S3MediaStorage {
    if (format !== 'mp3') throw new Error('S3MediaStorage: unknown rendition');
    let storage = this.renditions.get(format);
    if (!storage) this.renditions.set(format, (storage = new S3MediaStorage(this.shared, `${this.prefix}.${format}/`)));
    return storage;
  }

  async stat(mediaId: string): Promise<MediaRecord | undefined> {
    checked(mediaId);
    const { sdk, client, bucket } = this.shared;
    const answer = await this.call(() =>
      client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: this.key(mediaId, 'json') })),
    );
    if (!answer?.Body) return undefined;
    const text = await readSmall(answer.Body as Readable, MAX_RECORD_BYTES);
    const record = text === undefined ? undefined : parseJson(text);
    return isMediaRecord(record) && record.mediaId === mediaId ? record : undefined;
  }

  async save(mediaId: string, body: Readable, meta: MediaSaveMeta): Promise<MediaRecord> {
    const { sdk, lib, client, bucket, partSize } = this.shared;
    const temp = `${this.prefix}${UPLOADS}${checked(mediaId)}.${randomBytes(6).toString('hex')}`;
    // a body failing before the upload reads it must not be an unhandled 'error'; the upload rethrows it
    body.on('error', () => undefined);
    try {
      const upload = new lib.Upload({
        client,
        params: { Bucket: bucket, Key: temp, Body: body, ContentType: meta.contentType },
        partSize,
        // one part in memory at a time: a save costs partSize of memory, whatever the media's size
        queueSize: 1,
        leavePartsOnError: false,
      });
      await this.call(() => upload.done(), { required: true });
      const record = meta.record();
      const existing = await this.stat(mediaId);
      if (existing) return existing;
      await this.call(
        () =>
          client.send(
            new sdk.CopyObjectCommand({
              Bucket: bucket,
              Key: this.key(mediaId, 'media'),
              CopySource: `${bucket}/${temp}`,
              ContentType: meta.contentType,
              MetadataDirective: 'REPLACE',
            }),
          ),
        { required: true },
      );
      return (await this.commitRecord(mediaId, record)) ?? record;
    } catch (error) {
      body.destroy();
      throw error;
    } finally {
      await client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: temp })).catch(() => undefined);
    }
  }

  async open(mediaId: string, options: MediaOpenOptions = {}): Promise<StoredMedia | undefined> {
    checked(mediaId);
    const record = await this.stat(mediaId);
    if (!record) return undefined;
    const { sdk, client, bucket } = this.shared;
    const { range } = options;
    const answer = await this.call(() =>
      client.send(
        new sdk.GetObjectCommand({
          Bucket: bucket,
          Key: this.key(mediaId, 'media'),
          ...(range && { Range: `bytes=${range.start}-${range.end}` }),
        }),
      ),
    );
    const body = answer?.Body as Readable | undefined;
    if (!answer || !body) return undefined;
    // the promised Content-Length must be what the store sends
    if (range && answer.ContentLength === range.end - range.start + 1) return { record, body, range };
    if (answer.ContentLength !== record.size) {
      body.destroy();
      return undefined;
    }
    // a store that answered a range with the whole object: the range is cut out here
    return range ? { record, body: sliceOf(body, range), range } : { record, body };
  }

  async remove(mediaId: string): Promise<void> {
    checked(mediaId);
    const { sdk, client, bucket } = this.shared;
    // the record first: without it the media counts as not saved
    await this.call(() => client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: this.key(mediaId, 'json') })), {
      required: true,
    });
    await this.call(() => client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: this.key(mediaId, 'media') })), {
      required: true,
    });
  }

  /** Writes the record unless one is there; when one is, that one wins and is returned. */
  private async commitRecord(mediaId: string, record: MediaRecord): Promise<MediaRecord | undefined> {
    const { sdk, client, bucket } = this.shared;
    try {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: bucket,
          Key: this.key(mediaId, 'json'),
          Body: JSON.stringify(record),
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
      return undefined;
    } catch (error) {
      const status = statusOf(error);
      if (status === 412 || status === 409) return this.stat(mediaId);
      throw storageProblem(error, this.shared.missingBucket);
    }
  }

  /**
   * One request to the store: "no such key" is undefined (unless `required`); the store's other
   * failures become a 503 or 502 problem (which never carries the request or its keys).
   */
  private async call<T>(request: () => Promise<T>, { required = false } = {}): Promise<T | undefined> {
    try {
      return await request();
    } catch (error) {
      if (!required && isMissingObject(error)) return undefined;
      throw storageProblem(error, this.shared.missingBucket);
    }
  }

  private key(mediaId: string, kind: 'media' | 'json'): string {
    return `${this.prefix}${checked(mediaId)}.${kind}`;
  }
}

/** Defence in depth: a key is never built from an id that was not validated. */
function checked(mediaId: string): string {
  if (!isValidMediaId(mediaId)) throw new Error('S3MediaStorage: invalid media id');
  return mediaId;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
