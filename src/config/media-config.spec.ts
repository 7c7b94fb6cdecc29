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
