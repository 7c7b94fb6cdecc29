import { sandboxOriginalId } from '../default-account.js';
import { resolveSandboxOptions, SANDBOX_DEFAULT_ACCOUNT } from '../sandbox.options.js';
import { buildXml, cdataOf, parseXmlDocument } from './message-xml.js';

describe('sandbox accounts: message settings', () => {
  it('the default account carries obvious test values and an original id derived from its appId', () => {
    expect(SANDBOX_DEFAULT_ACCOUNT.messageToken).toMatch(/^SandboxTest[A-Za-z0-9]*$/);
    expect(SANDBOX_DEFAULT_ACCOUNT.messageAesKey).toMatch(/^SandboxTest[A-Za-z0-9]{32}$/);
    expect(SANDBOX_DEFAULT_ACCOUNT.originalId).toBe(sandboxOriginalId(SANDBOX_DEFAULT_ACCOUNT.appId));
    const o = resolveSandboxOptions();
    expect(o.messageReplyWaitMs).toBe(5000);
    expect(o.accounts).toEqual([SANDBOX_DEFAULT_ACCOUNT]);
  });

  it('fills in originalId per account (gh_ + 12 hex, stable, different per appId) unless given', () => {
    const o = resolveSandboxOptions({
      accounts: [
        { appId: 'wxa', appSecret: 's' },
        { appId: 'wxb', appSecret: 's', originalId: 'gh_abcdef012345' },
      ],
      messageReplyWaitMs: 20,
    });
    expect(o.accounts[0]!.originalId).toMatch(/^gh_[0-9a-f]{12}$/);
    expect(o.accounts[0]!.originalId).toBe(sandboxOriginalId('wxa'));
    expect(sandboxOriginalId('wxa')).not.toBe(sandboxOriginalId('wxc'));
    expect(o.accounts[1]!.originalId).toBe('gh_abcdef012345');
    expect(o.messageReplyWaitMs).toBe(20);
  });

  it('refuses bad tokens, keys and ids without echoing them', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ messageToken: 'ab' }, /messageToken must be 3-32/],
      [{ messageToken: 'x'.repeat(33) }, /messageToken must be 3-32/],
      [{ messageToken: 'has space' }, /messageToken/],
      [{ messageToken: 'SecretTok', messageAesKey: 'short' }, /messageAesKey must be 43/],
      [{ messageAesKey: 'A'.repeat(43) }, /needs a messageToken/],
      [{ originalId: 'wx_123' }, /originalId/],
    ];
    for (const [extra, message] of bad) {
      let error: Error | undefined;
      try {
        resolveSandboxOptions({ accounts: [{ appId: 'wxa', appSecret: 's', ...extra }] });
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message).toMatch(message);
      for (const value of Object.values(extra)) if ((value as string).length >= 3) expect(error?.message).not.toContain(value);
    }
    expect(() => resolveSandboxOptions({ messageReplyWaitMs: -1 })).toThrow(/messageReplyWaitMs/);
  });
});

describe('sandbox message XML', () => {
  it('writes strings as CDATA (a ]]> split across two sections) and numbers bare', () => {
    expect(cdataOf('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    expect(
      buildXml([
        ['A', 'x'],
        ['N', 12],
      ]),
    ).toBe('<xml><A><![CDATA[x]]></A><N>12</N></xml>');
    expect(() => buildXml([['bad name', 'x']])).toThrow(/element name/);
  });

  it('reads back what it writes; refuses another root, an empty document and a DTD', () => {
    const xml = buildXml([
      ['Content', ' a]]>b & <c> '],
      ['MsgId', '24000000000000000001'],
    ]);
    expect(parseXmlDocument(xml)).toEqual({ ok: true, fields: { Content: ' a]]>b & <c> ', MsgId: '24000000000000000001' } });
    expect(parseXmlDocument('<?xml version="1.0"?>\n<xml>\n  <A>1</A>\n</xml>')).toEqual({ ok: true, fields: { A: '1' } });
    expect(parseXmlDocument('<root><A>1</A></root>')).toMatchObject({ ok: false, problem: expect.stringMatching(/<xml>/) });
    expect(parseXmlDocument('<xml></xml>')).toMatchObject({ ok: false });
    expect(parseXmlDocument('<xml><A>1</A></xml><xml><A>2</A></xml>')).toMatchObject({ ok: false });
    expect(parseXmlDocument('<!DOCTYPE xml><xml><A>1</A></xml>')).toEqual({ ok: false, problem: 'XML with a DTD is refused' });
  });
});
