import { availableParallelism } from 'node:os';
import { resolveMediaOptions } from '../../nest/media/media.options.js';
import { mediaModuleOptions, SOCKET_MARGIN_MS } from './media-settings.js';
import { ConfigurationError } from './app-config.js';
import { validateEnv } from './validate-env.js';

describe('media configuration', () => {
  it('defaults to ./data/media and 20 MiB', () => {
    expect(validateEnv({}).app).toMatchObject({ mediaDir: './data/media', mediaMaxBytes: 20 * 1024 * 1024 });
  });

  it('reads MEDIA_MAX_BYTES as a whole number of bytes', () => {
    expect(validateEnv({ MEDIA_MAX_BYTES: '1048576', MEDIA_DIR: '/var/media' }).app).toMatchObject({
      mediaMaxBytes: 1048576,
      mediaDir: '/var/media',
    });
    expect(validateEnv({ MEDIA_MAX_BYTES: '' }).app.mediaMaxBytes).toBe(20 * 1024 * 1024);
  });

  it.each(['20MiB', '-1', '0', '1.5', '100', String(9 * 1024 ** 3)])(
    'refuses MEDIA_MAX_BYTES=%j with one line naming it',
    (value) => {
      let problems: string[] = [];
      try {
        validateEnv({ MEDIA_MAX_BYTES: value });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        problems = (error as ConfigurationError).problems;
      }
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^MEDIA_MAX_BYTES: /);
    },
  );
});

describe('media storage, quota and transcoding configuration', () => {
  const problemsOf = (env: Record<string, string>) => {
    try {
      validateEnv(env);
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      return (error as ConfigurationError).problems;
    }
  };

  it('defaults: disk, 200 media per user, ffmpeg on PATH with 60 s', () => {
    expect(validateEnv({}).app).toMatchObject({
      mediaMaxPerUser: 200,
      mediaS3: undefined,
      ffmpegPath: 'ffmpeg',
      transcodeTimeoutMs: 60_000,
    });
  });

  it('reads MEDIA_STORAGE=s3 and the S3_* variables', () => {
    const app = validateEnv({
      MEDIA_STORAGE: 's3',
      S3_BUCKET: 'voices',
      S3_ENDPOINT: 'https://cos.ap-shanghai.myqcloud.com',
      S3_REGION: 'ap-shanghai',
      S3_ACCESS_KEY_ID: 'AKID',
      S3_SECRET_ACCESS_KEY: 'secret-key-value',
      S3_FORCE_PATH_STYLE: 'true',
      S3_REQUEST_TIMEOUT_MS: '2500',
      MEDIA_MAX_PER_USER: '0',
    }).app;
    expect(app.mediaS3).toEqual({
      bucket: 'voices',
      prefix: 'media/',
      endpoint: 'https://cos.ap-shanghai.myqcloud.com',
      region: 'ap-shanghai',
      accessKeyId: 'AKID',
      secretAccessKey: 'secret-key-value',
      forcePathStyle: true,
      requestTimeoutMs: 2500,
    });
    expect(app.mediaMaxPerUser).toBe(0);
    expect(validateEnv({ MEDIA_STORAGE: 's3', S3_BUCKET: 'voices' }).app.mediaS3?.requestTimeoutMs).toBe(10_000);
  });

  it('refuses an s3 storage without a bucket, half a key pair, bad names, and never echoes the secret', () => {
    expect(problemsOf({ MEDIA_STORAGE: 's3' })).toEqual(['S3_BUCKET: is required when MEDIA_STORAGE=s3']);
    const half = problemsOf({ MEDIA_STORAGE: 's3', S3_BUCKET: 'voices', S3_SECRET_ACCESS_KEY: 'do-not-echo-me' });
    expect(half).toEqual(['S3_ACCESS_KEY_ID: is required when S3_SECRET_ACCESS_KEY is set']);
    expect(half.join()).not.toContain('do-not-echo-me');
    expect(problemsOf({ MEDIA_STORAGE: 'nfs' })[0]).toMatch(/^MEDIA_STORAGE: /);
    expect(problemsOf({ S3_BUCKET: 'Bad_Bucket' })[0]).toMatch(/^S3_BUCKET: /);
    expect(problemsOf({ S3_PREFIX: '../x' })[0]).toMatch(/^S3_PREFIX: /);
    expect(problemsOf({ MEDIA_MAX_PER_USER: '-1' })[0]).toMatch(/^MEDIA_MAX_PER_USER: /);
    expect(problemsOf({ MEDIA_TRANSCODE_TIMEOUT_MS: '10' })[0]).toMatch(/^MEDIA_TRANSCODE_TIMEOUT_MS: /);
    expect(problemsOf({ S3_REQUEST_TIMEOUT_MS: '0' })[0]).toMatch(/^S3_REQUEST_TIMEOUT_MS: /);
    for (const bad of ['0', '1.5', 'many'])
      expect(problemsOf({ MEDIA_TRANSCODE_CONCURRENCY: bad })[0]).toMatch(/^MEDIA_TRANSCODE_CONCURRENCY: /);
  });

  it('runs as many ffmpeg at once as the machine has cores, unless MEDIA_TRANSCODE_CONCURRENCY says', () => {
    expect(validateEnv({}).app.transcodeConcurrency).toBe(availableParallelism());
    const app = validateEnv({ MEDIA_TRANSCODE_CONCURRENCY: '1' }).app;
    expect(app.transcodeConcurrency).toBe(1);
    expect(resolveMediaOptions(mediaModuleOptions(app))).toMatchObject({ transcodeConcurrency: 1, transcodeQueueLimit: 2 });
  });
});

describe('the socket timeout and the longest media wait', () => {
  const settings = [
    {},
    { MEDIA_TRANSCODE_TIMEOUT_MS: '1000' },
    { MEDIA_TRANSCODE_TIMEOUT_MS: '3600000' },
    { MEDIA_TRANSCODE_TIMEOUT_MS: '90000', REQUEST_TIMEOUT_MS: '1000' },
    { REQUEST_TIMEOUT_MS: '600000' },
  ];

  it.each(settings)('a silent connection outlives every media wait of what the service runs: %j', (env) => {
    const app = validateEnv(env).app;
    // the options the service hands MediaModule, resolved as the module resolves them
    const { deadlines } = resolveMediaOptions(mediaModuleOptions(app));
    expect(deadlines.longestMs).toBe(Math.max(deadlines.saveMs, deadlines.renditionMs));
    expect(app.socketTimeoutMs - deadlines.longestMs).toBeGreaterThanOrEqual(SOCKET_MARGIN_MS);
    expect(app.socketTimeoutMs).toBeGreaterThanOrEqual(2 * app.requestTimeoutMs);
  });

  it('a rendition waits for a slot, one ffmpeg run and a margin; a save for the other instance and a margin', () => {
    const { deadlines, transcodeQueueWaitMs } = resolveMediaOptions(mediaModuleOptions(validateEnv({}).app));
    expect(transcodeQueueWaitMs).toBe(10_000);
    expect(deadlines).toEqual({ saveMs: 62_000, renditionMs: 72_000, longestMs: 72_000 });
    expect(validateEnv({}).app.socketTimeoutMs).toBe(77_000);
    const short = resolveMediaOptions(mediaModuleOptions(validateEnv({ MEDIA_TRANSCODE_TIMEOUT_MS: '1000' }).app));
    expect([short.transcodeQueueWaitMs, short.deadlines.renditionMs]).toEqual([1000, 4000]);
  });
});
