import {
  AccountConfigError,
  accountFromEntry,
  MESSAGE_AES_KEY_PATTERN,
  MESSAGE_TOKEN_PATTERN,
  resolveAccountList,
} from './account-config.js';

const ENTRY = { appId: 'wxmsg00000001', appSecret: 'secret-of-the-account' };
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const KEY_WITH_SIGNS = 'A+b/C+d/E+f/G+h/I+j/K+l/M+n/O+p/Q+r/S+t/U+v';
const WHERE = 'accounts[3]';

/** The message of the AccountConfigError the entry is refused with. */
function refusal(entry: Record<string, unknown>): string {
  try {
    accountFromEntry({ ...ENTRY, ...entry }, WHERE, 'stable');
  } catch (error) {
    expect(error).toBeInstanceOf(AccountConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the entry to be refused');
}

describe('the message settings of an account entry', () => {
  it('leaves them out when not given', () => {
    const account = accountFromEntry(ENTRY, WHERE, 'stable');
    expect(account).not.toHaveProperty('messageToken');
    expect(account).not.toHaveProperty('messageAesKey');
  });

  it.each(['abc', 'Token123', 'a'.repeat(32), 'ABCxyz0189'])('takes the token %s (3-32 letters and digits)', (token) => {
    const account = accountFromEntry({ ...ENTRY, messageToken: token }, WHERE, 'stable');
    expect(account.messageToken).toBe(token);
    expect(account).not.toHaveProperty('messageAesKey');
  });

  it.each([AES_KEY, KEY_WITH_SIGNS])('takes the EncodingAESKey %s with its token', (key) => {
    const account = accountFromEntry({ ...ENTRY, messageToken: 'Token123', messageAesKey: key }, WHERE, 'classic');
    expect(account).toEqual({
      appId: ENTRY.appId,
      appSecret: ENTRY.appSecret,
      jsDomains: [],
      tokenMode: 'classic',
      messageToken: 'Token123',
      messageAesKey: key,
    });
  });

  it.each([
    ['2 characters', 'ab'],
    ['33 characters', 'a'.repeat(33)],
    ['a dash inside', 'abc-def'],
    ['a dash before', '-abcdef'],
    ['a dash after', 'abcdef-'],
    ['a space', 'abc def'],
    ['a letter outside ASCII', 'tökenabc'],
    ['nothing', ''],
    ['a number', 12345],
    ['null', null],
    ['a list', ['abcdef']],
  ])('refuses a token of %s, never repeating it', (_what, token) => {
    const message = refusal({ messageToken: token });
    expect(message).toBe(`${WHERE}.messageToken: must be 3-32 letters and digits`);
  });

  it.each([
    ['42 characters', AES_KEY.slice(1)],
    ['44 characters', `${AES_KEY}A`],
    ['its padding', `${AES_KEY}=`],
    ['padding before it', `=${AES_KEY}`],
    ['a character outside base64', `${AES_KEY.slice(1)}-`],
    ['base64url characters', KEY_WITH_SIGNS.replace(/\+/g, '-').replace(/\//g, '_')],
    ['nothing', ''],
    ['a number', 43],
    ['a list holding a key', [AES_KEY]],
  ])('refuses an EncodingAESKey of %s, never repeating it', (_what, key) => {
    const message = refusal({ messageToken: 'Token123', messageAesKey: key });
    expect(message).toBe(`${WHERE}.messageAesKey: must be the 43-character EncodingAESKey`);
  });

  it('refuses an EncodingAESKey without a token', () => {
    expect(refusal({ messageAesKey: AES_KEY })).toBe(`${WHERE}.messageAesKey: needs messageToken`);
  });

  it('checks the token before the key', () => {
    expect(refusal({ messageToken: 'x', messageAesKey: 'y' })).toBe(`${WHERE}.messageToken: must be 3-32 letters and digits`);
  });

  it('names the entry of the list the problem is in', () => {
    const entries = [ENTRY, { ...ENTRY, appId: 'wxmsg00000002', messageToken: 'no!' }];
    expect(() => resolveAccountList(undefined, entries, 'WECHAT_ACCOUNTS', 'stable')).toThrow(
      new AccountConfigError('WECHAT_ACCOUNTS[1].messageToken: must be 3-32 letters and digits'),
    );
    const listed = resolveAccountList(
      undefined,
      [{ ...ENTRY, messageToken: 'Token123', messageAesKey: AES_KEY }],
      'accounts',
      'stable',
    );
    expect(listed[0]).toMatchObject({ messageToken: 'Token123', messageAesKey: AES_KEY });
  });

  it('exports the patterns the environment variables are checked with', () => {
    expect(MESSAGE_TOKEN_PATTERN.test('abc')).toBe(true);
    expect(MESSAGE_TOKEN_PATTERN.test('x-abc')).toBe(false);
    expect(MESSAGE_TOKEN_PATTERN.test('abc-x')).toBe(false);
    expect(MESSAGE_AES_KEY_PATTERN.test(AES_KEY)).toBe(true);
    expect(MESSAGE_AES_KEY_PATTERN.test(`-${AES_KEY}`)).toBe(false);
    expect(MESSAGE_AES_KEY_PATTERN.test(`${AES_KEY}-`)).toBe(false);
  });
});
