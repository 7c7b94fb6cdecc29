import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import type { Logger } from '../ports.js';
import { Problem } from '../problem.js';
import { LocalStore } from '../../store/local-store.js';
import { resolveMediaOptions } from '../../nest/media/media.options.js';
import type { MediaPlace } from './media-place.js';
import { formatUnavailable } from './media-problems.js';
import type { MediaOwner, MediaRecord } from './media-record.js';
import { MediaRenditions, type RenditionRequest } from './media-renditions.js';
import type { MediaRules } from './media-rules.js';
import type { MediaRendition, MediaSaveMeta, MediaStorage, StoredMedia } from './media-storage.js';
import { recallFailure, rememberFailure } from './rendition-failures.js';
import { TranscodeError, type VoiceTranscoder } from './voice-transcoder.js';

const ALICE: MediaOwner = { appId: 'wxapp', openid: 'alice' };
const BOB: MediaOwner = { appId: 'wxapp', openid: 'bob' };
const AMR = Buffer.from('#!AMR\n fake voice frames');
const MP3 = Buffer.from('ID3 fake mp3 frames');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stream that fails with `error` as soon as it is read (ffmpeg's output when it gives up). */
const failing = (error: Error) =>
  new Readable({
    read() {
      this.destroy(error);
    },
  });

const voice = (mediaId: string, more: Partial<MediaRecord> = {}): MediaRecord => ({
  mediaId,
  contentType: 'audio/amr',
  size: 100,
  sha256: sha256(AMR),
  savedAt: '2026-01-01T00:00:00.000Z',
  filename: 'memo.2024.amr',
  owner: ALICE,
  ...more,
});

/**
 * A storage in memory (records and bytes by id) that reads a saved body to its end and keeps the
 * record it then gives; a record saved meanwhile by someone else wins, as the port asks. `failSave`
 * makes the next save fail its own way.
 */
class MemoryStorage implements MediaStorage {
  readonly records = new Map<string, MediaRecord>();
  readonly bytes = new Map<string, Buffer>();
  readonly metas: MediaSaveMeta[] = [];
  failSave?: (body: Readable) => Promise<never>;
  rendition?: (format: MediaRendition) => MediaStorage;

  keep(record: MediaRecord, bytes: Buffer): void {
    this.records.set(record.mediaId, record);
    this.bytes.set(record.mediaId, bytes);
  }
  async stat(mediaId: string) {
    return this.records.get(mediaId);
  }
  async save(mediaId: string, body: Readable, meta: MediaSaveMeta) {
    this.metas.push(meta);
    const fail = this.failSave;
    this.failSave = undefined;
    if (fail) return fail(body);
    const bytes = await collect(body);
    const kept = this.records.get(mediaId) ?? meta.record();
    if (!this.records.has(mediaId)) this.keep(kept, bytes);
    return kept;
  }
  async open(mediaId: string): Promise<StoredMedia | undefined> {
    const record = this.records.get(mediaId);
    return record && { record, body: Readable.from([this.bytes.get(mediaId)!]) };
  }
  async remove(mediaId: string) {
    this.records.delete(mediaId);
  }
}

/** ffmpeg's seam: the version probe, and one mp3 stream a run (made by `mp3`); emits 'run' as one starts. */
class FakeTranscoder extends EventEmitter {
  readonly ffmpegPath = 'ffmpeg';
  readonly version = jest.fn(async (): Promise<string | undefined> => 'ffmpeg version 7.1');
  /** the voices it was given, and the streams it answered */
  readonly inputs: Buffer[] = [];
  readonly outputs: Readable[] = [];
  mp3: () => Readable = () => Readable.from([MP3]);

  toMp3(input: Readable): Readable {
    const output = this.mp3();
    this.outputs.push(output);
    void collect(input).then((bytes) => this.inputs.push(bytes));
    this.emit('run');
    return output;
  }
}

/**
 * The renditions of the voices of account wxapp, with fakes at every seam: the originals in `storage`
 * (voice v1 kept), their mp3s in `mp3s`, ffmpeg, the logger; the real in-process store for the lock,
 * the remembered failures and the budget. `polled` resolves once a rendition waits for another
 * instance (it asked whether the lock is held).
 */
function setup(rules: Partial<MediaRules> = {}, clock?: () => number) {
  const store = new LocalStore(clock);
  const storage = new MemoryStorage();
  const mp3s = new MemoryStorage();
  storage.rendition = jest.fn((_format: MediaRendition): MediaStorage => mp3s);
  storage.keep(voice('v1'), AMR);
  const transcoder = new FakeTranscoder();
  const options: MediaRules = {
    ...resolveMediaOptions({ maxBytes: 4000, transcoding: { concurrency: 1 } }, 'wechat:', 'wxapp'),
    transcoder: transcoder as unknown as VoiceTranscoder,
    pollIntervalMs: 5,
    ...rules,
  };
  const logs: string[] = [];
  const warnings: string[] = [];
  const logger: Logger = { log: (m) => logs.push(m), warn: (m) => warnings.push(m), error: () => undefined };
  const place: MediaPlace = { appId: 'wxapp', storage, name: (id) => id, flight: (id) => `wxapp/${id}` };
  let polledOnce!: () => void;
  const polled = new Promise<void>((resolve) => {
    polledOnce = resolve;
  });
  const isLocked = store.isLocked.bind(store);
  store.isLocked = (key: string) => {
    polledOnce();
    return isLocked(key);
  };
  const renditions = new MediaRenditions(store, options, logger);
  const request = (mediaId = 'v1', more: Partial<RenditionRequest> = {}): RenditionRequest => ({
    mediaId,
    format: 'mp3',
    original: storage.records.get(mediaId) ?? voice(mediaId),
    place,
    deadline: Date.now() + 2000,
    ...more,
  });
  return {
    store,
    storage,
    mp3s,
    transcoder,
    options,
    logs,
    warnings,
    polled,
    renditions,
    request,
    make: (mediaId?: string, more?: Partial<RenditionRequest>) => renditions.make(request(mediaId, more)),
    failureKey: (mediaId = 'v1') => options.failureKey(`${mediaId}:mp3`, 'wxapp'),
    lockKey: (mediaId = 'v1') => options.lockKey(`${mediaId}:mp3`, 'wxapp'),
  };
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('MediaRenditions: making the mp3 of a saved voice', () => {
  it('transcodes the voice once and keeps its mp3 beside it, recorded as the voice owner’s, named as the voice', async () => {
    const t = setup();
    const before = Date.now();
    const made = await t.make('v1', { owner: ALICE });
    expect(made).toStrictEqual({
      mediaId: 'v1',
      contentType: 'audio/mpeg',
      size: MP3.length,
      sha256: sha256(MP3),
      savedAt: expect.any(String),
      filename: 'memo.2024.mp3',
      owner: ALICE,
    });
    expect(Date.parse(made.savedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(made.savedAt)).toBeLessThanOrEqual(Date.now());
    expect(t.mp3s.bytes.get('v1')).toEqual(MP3);
    // ffmpeg was fed the original's bytes
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.transcoder.inputs).toEqual([AMR]);
    // the storage is told the type and name before the bytes come
    expect(t.mp3s.metas[0]).toMatchObject({ contentType: 'audio/mpeg', filename: 'memo.2024.mp3' });
    // the log says what was made and how long it took
    const took = /\(100 → (\d+) bytes, (\d+) ms\)$/.exec(t.logs[0]!);
    expect(took?.[1]).toBe(String(MP3.length));
    expect(Number(took?.[2])).toBeLessThanOrEqual(Date.now() - before);
  });

  it('answers a kept mp3 as it is: no ffmpeg, no budget, not even a transcoder', async () => {
    const t = setup({ renditionsPerMinute: 1 });
    const made = await t.make('v1', { owner: ALICE });
    t.options.transcoder = undefined;
    expect(await t.make('v1', { owner: ALICE })).toEqual(made);
    expect(await t.make('v1', { owner: ALICE })).toEqual(made);
    expect(t.transcoder.outputs).toHaveLength(1);
    expect(t.transcoder.version).toHaveBeenCalledTimes(1);
  });

  it('a voice without file name or owner gives an mp3 without them; a server-side ask spends no budget', async () => {
    const t = setup({ renditionsPerMinute: 1 });
    const { filename: _filename, owner: _owner, ...bare } = voice('v2');
    t.storage.keep(bare, AMR);
    const hit = jest.spyOn(t.store, 'hit');
    const made = await t.make('v2');
    expect(made).toStrictEqual({
      mediaId: 'v2',
      contentType: 'audio/mpeg',
      size: MP3.length,
      sha256: sha256(MP3),
      savedAt: made.savedAt,
    });
    expect(t.mp3s.metas[0]).not.toHaveProperty('filename');
    expect(hit).not.toHaveBeenCalled();
  });

  it('names the mp3 as the voice with only its last extension replaced', async () => {
    const t = setup();
    t.storage.keep(voice('v2', { filename: 'note' }), AMR);
    t.storage.keep(voice('v3', { filename: 'a.b.speex' }), AMR);
    expect((await t.make('v2')).filename).toBe('note.mp3');
    expect((await t.make('v3')).filename).toBe('a.b.mp3');
  });

  it('concurrent asks in this process share one transcoding under one lock', async () => {
    const t = setup();
    const held = new PassThrough();
    t.transcoder.mp3 = () => held;
    const lock = jest.spyOn(t.store, 'lock');
    const running = once(t.transcoder, 'run');
    const asks = [t.make(), t.make(), t.make('v1', { owner: ALICE })];
    await running;
    held.end(MP3);
    const made = await Promise.all(asks);
    expect(made[1]).toBe(made[0]);
    expect(made[2]).toBe(made[0]);
    expect(t.transcoder.outputs).toHaveLength(1);
    expect(lock).toHaveBeenCalledTimes(1);
    expect(lock.mock.calls[0]![0]).toBe(t.lockKey());
  });

  it('builds its transcoding slots from the options', () => {
    const { renditions } = setup({ transcodeConcurrency: 3, transcodeQueueLimit: 7, transcodeQueueWaitMs: 2500 });
    expect(renditions.slots).toMatchObject({ concurrency: 3, queueLimit: 7, queueWaitMs: 2500, retryAfterSec: 3 });
  });
});

describe('MediaRenditions: what is answered without running ffmpeg', () => {
  it('only a voice has an mp3: anything else is 415 before the storage is asked', async () => {
    const t = setup();
    t.storage.keep(voice('i1', { contentType: 'image/jpeg' }), AMR);
    const refused = await rejection(t.make('i1'));
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({ statusCode: 415, code: 'FORMAT_UNAVAILABLE' });
    expect(t.storage.rendition).not.toHaveBeenCalled();
    expect(t.transcoder.version).not.toHaveBeenCalled();
  });

  it('415 when the storage keeps no renditions', async () => {
    const t = setup();
    t.storage.rendition = undefined;
    const refused = await rejection(t.make());
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({ statusCode: 415, code: 'FORMAT_UNAVAILABLE' });
    expect(t.transcoder.version).not.toHaveBeenCalled();
  });

  it('413 at once, with the limit, for a voice whose mp3 cannot fit; one that may just fit is made', async () => {
    // an AMR-NB voice lasts at least size/1600 s, and its mp3 takes 4000 bytes a second: 1601 bytes give at least 4002
    const t = setup({ maxBytes: 4000 });
    t.storage.keep(voice('long', { size: 1601 }), AMR);
    t.storage.keep(voice('edge', { size: 1600 }), AMR);
    const refused = await rejection(t.make('long'));
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({ statusCode: 413, code: 'MEDIA_TOO_LARGE', extra: { maxBytes: 4000 } });
    expect(t.transcoder.outputs).toEqual([]);
    expect((await t.make('edge')).size).toBe(MP3.length);
  });

  it('answers a failure remembered from an earlier try (any instance’s) without running ffmpeg', async () => {
    const t = setup();
    t.storage.keep(voice('v2'), AMR);
    const remembered = formatUnavailable('ffmpeg cannot decode this voice');
    await rememberFailure(t.store, t.failureKey('v1'), remembered);
    const refused = await rejection(t.make());
    expect(refused).toBeInstanceOf(Problem);
    expect((refused as Problem).body).toEqual(remembered.body);
    expect(t.transcoder.version).not.toHaveBeenCalled();
    expect(t.transcoder.outputs).toEqual([]);
    // remembered for that voice only
    expect((await t.make('v2')).mediaId).toBe('v2');
  });

  it('415 when transcoding is off, or ffmpeg does not run here; neither is remembered', async () => {
    const t = setup();
    t.transcoder.version.mockResolvedValueOnce(undefined);
    const noFfmpeg = await rejection(t.make());
    expect(noFfmpeg).toBeInstanceOf(Problem);
    expect(noFfmpeg).toMatchObject({
      statusCode: 415,
      code: 'FORMAT_UNAVAILABLE',
      message: expect.stringContaining('not available'),
    });
    t.options.transcoder = undefined;
    const off = await rejection(t.make());
    expect(off).toBeInstanceOf(Problem);
    expect(off).toMatchObject({ statusCode: 415, code: 'FORMAT_UNAVAILABLE', message: expect.stringContaining('not available') });
    expect(t.transcoder.outputs).toEqual([]);
    expect(await recallFailure(t.store, t.failureKey())).toBeUndefined();
  });

  it('counts each user’s new renditions against their budget: 429 past it, before ffmpeg', async () => {
    const t = setup({ renditionsPerMinute: 1 });
    t.storage.keep(voice('v2'), AMR);
    const hit = jest.spyOn(t.store, 'hit');
    await t.make('v1', { owner: ALICE });
    const refused = await rejection(t.make('v2', { owner: ALICE }));
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(hit.mock.calls.map((call) => call[0])).toEqual([
      t.options.renditionCountKey('alice', 'wxapp'),
      t.options.renditionCountKey('alice', 'wxapp'),
    ]);
    expect(t.transcoder.outputs).toHaveLength(1);
    // another user's budget is their own
    expect((await t.make('v2', { owner: BOB })).mediaId).toBe('v2');
  });
});

describe('MediaRenditions: when the transcoding fails', () => {
  it('a voice ffmpeg cannot decode: 415, remembered, so the next ask runs no ffmpeg', async () => {
    const t = setup();
    t.transcoder.mp3 = () => failing(new TranscodeError('undecodable', 'ffmpeg could not decode the voice: Invalid data'));
    const refused = await rejection(t.make());
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({
      statusCode: 415,
      code: 'FORMAT_UNAVAILABLE',
      message: expect.stringContaining('cannot decode'),
    });
    expect(t.warnings).toEqual([expect.stringContaining('Invalid data')]);
    expect((await recallFailure(t.store, t.failureKey()))?.body).toEqual((refused as Problem).body);
    await expect(t.make()).rejects.toMatchObject({ statusCode: 415, code: 'FORMAT_UNAVAILABLE' });
    expect(t.transcoder.outputs).toHaveLength(1);
    expect(t.mp3s.records.size).toBe(0);
  });

  it('an mp3 that grows past the size limit while it streams: 413 with the limit, remembered', async () => {
    const t = setup({ maxBytes: 4000 });
    t.transcoder.mp3 = () => Readable.from([Buffer.alloc(3000), Buffer.alloc(3000)]);
    const refused = await rejection(t.make());
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({ statusCode: 413, code: 'MEDIA_TOO_LARGE', extra: { maxBytes: 4000 } });
    expect((await recallFailure(t.store, t.failureKey()))?.code).toBe('MEDIA_TOO_LARGE');
    expect(t.transcoder.outputs[0]!.destroyed).toBe(true);
  });

  it('ffmpeg past its time bound: 503 TRANSCODE_TIMEOUT with the slots’ Retry-After, not remembered', async () => {
    const t = setup();
    t.transcoder.mp3 = () => failing(new TranscodeError('timeout', 'ffmpeg ran past 60000 ms'));
    const refused = await rejection(t.make());
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({ statusCode: 503, code: 'TRANSCODE_TIMEOUT', extra: { retryAfter: 10 } });
    expect(t.renditions.slots.retryAfterSec).toBe(10);
    expect(await recallFailure(t.store, t.failureKey())).toBeUndefined();
    // the next ask tries again
    t.transcoder.mp3 = () => Readable.from([MP3]);
    expect((await t.make()).size).toBe(MP3.length);
    expect(t.transcoder.outputs).toHaveLength(2);
  });

  it('ffmpeg gone when it is run: 415, not remembered (it may be installed again)', async () => {
    const t = setup();
    t.transcoder.mp3 = () => failing(new TranscodeError('unavailable', 'ffmpeg cannot be run (ENOENT)'));
    const refused = await rejection(t.make());
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({
      statusCode: 415,
      code: 'FORMAT_UNAVAILABLE',
      message: expect.stringContaining('not available'),
    });
    expect(await recallFailure(t.store, t.failureKey())).toBeUndefined();
    t.transcoder.mp3 = () => Readable.from([MP3]);
    expect((await t.make()).size).toBe(MP3.length);
  });

  it('a failing storage: its own error is answered, ffmpeg is stopped, nothing is remembered, the next ask tries again', async () => {
    const t = setup();
    const diskFull = new Error('disk full');
    t.mp3s.failSave = async (body) => {
      body.destroy();
      throw diskFull;
    };
    expect(await rejection(t.make())).toBe(diskFull);
    expect(t.transcoder.outputs[0]!.destroyed).toBe(true);
    expect(await recallFailure(t.store, t.failureKey())).toBeUndefined();
    expect((await t.make()).size).toBe(MP3.length);
    expect(t.transcoder.outputs).toHaveLength(2);
  });

  it('a storage that reports an error of its own for a body ffmpeg broke off: the transcoder’s failure is answered', async () => {
    const t = setup();
    t.transcoder.mp3 = () => failing(new TranscodeError('undecodable', 'ffmpeg could not decode the voice: Invalid data'));
    t.mp3s.failSave = async (body) => {
      await collect(body).catch(() => undefined);
      throw new Error('upload aborted');
    };
    const refused = await rejection(t.make());
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({ statusCode: 415, code: 'FORMAT_UNAVAILABLE' });
    expect((await recallFailure(t.store, t.failureKey()))?.code).toBe('FORMAT_UNAVAILABLE');
  });

  it('the original gone from its storage meanwhile: 404, no ffmpeg', async () => {
    const t = setup();
    const original = t.storage.records.get('v1')!;
    t.storage.records.delete('v1');
    const refused = await rejection(t.make('v1', { original }));
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({ statusCode: 404, code: 'MEDIA_NOT_FOUND' });
    expect(t.transcoder.outputs).toEqual([]);
  });
});

describe('MediaRenditions: another instance at the same mp3', () => {
  it('waits while it holds the lock and answers the mp3 it kept, without running ffmpeg here', async () => {
    const t = setup();
    const other = await t.store.lock(t.lockKey(), 60_000);
    const making = t.make();
    await t.polled;
    const theirs = { ...voice('v1'), contentType: 'audio/mpeg', filename: 'theirs.mp3' };
    t.mp3s.keep(theirs, MP3);
    await other!.release();
    expect(await making).toEqual(theirs);
    expect(t.transcoder.outputs).toEqual([]);
  });

  it('answers the failure it remembered before letting go, without running ffmpeg here', async () => {
    const t = setup();
    const other = await t.store.lock(t.lockKey(), 60_000);
    const making = rejection(t.make());
    await t.polled;
    await rememberFailure(t.store, t.failureKey(), formatUnavailable('ffmpeg cannot decode this voice'));
    await other!.release();
    expect(await making).toMatchObject({ statusCode: 415, code: 'FORMAT_UNAVAILABLE' });
    expect(t.transcoder.outputs).toEqual([]);
  });

  it('503 MEDIA_BUSY with the slots’ Retry-After once the deadline passed while it held the lock', async () => {
    const t = setup();
    await t.store.lock(t.lockKey(), 60_000);
    const refused = await rejection(t.make('v1', { deadline: Date.now() - 1 }));
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({ statusCode: 503, code: 'MEDIA_BUSY', extra: { retryAfter: 10 } });
    expect(t.transcoder.outputs).toEqual([]);
  });

  it('cannot take the lock over while ffmpeg runs here: it is extended until the mp3 is kept', async () => {
    jest.useFakeTimers({
      doNotFake: [
        'Date',
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      let now = 0;
      const t = setup({ lockTtlMs: 3000 }, () => now);
      const held = new PassThrough();
      t.transcoder.mp3 = () => held;
      const running = once(t.transcoder, 'run');
      const making = t.make();
      await running;
      // a third of the lock's life later it is extended for a whole life again
      now = 2500;
      jest.advanceTimersByTime(1000);
      now = 5000;
      expect(await t.store.isLocked(t.lockKey())).toBe(true);
      held.end(MP3);
      expect((await making).size).toBe(MP3.length);
      expect(await t.store.isLocked(t.lockKey())).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });
});
