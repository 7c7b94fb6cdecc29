import { Sandbox } from '../sandbox.js';
import { SANDBOX_DEFAULT_ACCOUNT } from '../sandbox.options.js';
import { SandboxMessageError } from './message-simulator.js';
import {
  elementsOf,
  fieldOf,
  openEncrypt,
  sealReply,
  sha1Sorted,
  startMessageReceiver,
  type ReceiverAnswer,
  type ReceivedPush,
} from './message-service.spec.helper.js';

const { appId, messageToken, messageAesKey, originalId } = SANDBOX_DEFAULT_ACCOUNT as Required<typeof SANDBOX_DEFAULT_ACCOUNT>;
const secrets = { appId, token: messageToken, encodingAesKey: messageAesKey };
const PLAIN_ONLY = { appId: 'wx0000000000plain0', appSecret: 'plain-secret', messageToken: 'PlainOnlyToken' };
type Receiver = Awaited<ReturnType<typeof startMessageReceiver>>;

/** A passive text reply from the service to `openid`. */
const textReply = (openid: string, content: string, from = originalId) =>
  `<xml><ToUserName><![CDATA[${openid}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>1700000001</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content></xml>`;

/** What the service's side sees in a push, checked with the helper's own code: the plain message XML. */
function plainMessageOf(push: ReceivedPush, mode: 'plain' | 'compatible' | 'safe'): string {
  const { signature, timestamp, nonce, msg_signature } = push.query;
  expect(signature).toBe(sha1Sorted([messageToken, timestamp!, nonce!]));
  if (mode === 'plain') {
    expect(push.query.encrypt_type).toBeUndefined();
    expect(msg_signature).toBeUndefined();
    return push.body;
  }
  expect(push.query.encrypt_type).toBe('aes');
  const encrypt = fieldOf(push.body, 'Encrypt')!;
  expect(msg_signature).toBe(sha1Sorted([messageToken, timestamp!, nonce!, encrypt]));
  const opened = openEncrypt(encrypt, messageAesKey);
  expect(opened.id).toBe(appId);
  if (mode === 'safe') expect(elementsOf(push.body)).toEqual(['ToUserName', 'Encrypt']);
  else expect(push.body).toBe(opened.xml.replace('</xml>', `<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`));
  return opened.xml;
}

describe('sandbox message push', () => {
  const clock = { t: Date.UTC(2025, 5, 1, 8, 0, 0) };
  let receiver: Receiver | undefined;
  const sandbox = new Sandbox({
    now: () => clock.t,
    messageReplyWaitMs: 3000,
    accounts: [SANDBOX_DEFAULT_ACCOUNT, PLAIN_ONLY],
  });
  const alice = sandbox.openidOf(appId, 'alice');
  const receive = async (answer: (push: ReceivedPush, index: number) => ReceiverAnswer) =>
    (receiver = await startMessageReceiver(answer));

  afterEach(async () => {
    await sandbox.messages.idle();
    await receiver?.close();
    receiver = undefined;
  });

  it('plain mode: a signed POST of the text XML with openid in the query; the passive reply is decoded', async () => {
    const r = await receive((p) => ({ body: textReply(p.query.openid!, 'hello back') }));
    const record = await sandbox.pushMessage({ kind: 'text', content: 'hi ]]> <b>&', mode: 'plain', url: `${r.url}?x=1` });
    const push = await r.next();
    expect(push.method).toBe('POST');
    expect(push.path).toBe('/wechat/messages');
    expect(push.headers['content-type']).toBe('text/xml');
    expect(Object.keys(push.query)).toEqual(['x', 'signature', 'timestamp', 'nonce', 'openid']);
    expect(push.query).toMatchObject({ x: '1', timestamp: String(clock.t / 1000), openid: alice });
    expect(push.query.nonce).toMatch(/^\d{1,10}$/);
    const xml = plainMessageOf(push, 'plain');
    expect(elementsOf(xml)).toEqual(['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Content', 'MsgId']);
    expect(xml).toContain(`<ToUserName><![CDATA[${originalId}]]></ToUserName>`);
    expect(xml).toContain(`<CreateTime>${clock.t / 1000}</CreateTime>`);
    expect(xml).toContain('<Content><![CDATA[hi ]]]]><![CDATA[> <b>&]]></Content>');
    expect(fieldOf(xml, 'MsgId')).toMatch(/^\d{20}$/);
    expect(record).toMatchObject({
      appId,
      user: 'alice',
      openid: alice,
      kind: 'text',
      mode: 'plain',
      url: `${r.url}?x=1`,
      msgId: fieldOf(xml, 'MsgId'),
      createTime: clock.t / 1000,
      outcome: 'replied',
      replyForm: 'plain',
      reply: {
        ToUserName: alice,
        FromUserName: originalId,
        CreateTime: '1700000001',
        MsgType: 'text',
        Content: 'hello back',
      },
      message: { MsgType: 'text', Content: 'hi ]]> <b>&', FromUserName: alice, ToUserName: originalId },
    });
    expect(record.attempts).toEqual([
      { attempt: 1, at: clock.t, status: 200, elapsedMs: expect.any(Number), outcome: 'replied' },
    ]);
    expect(originalId).toMatch(/^gh_[0-9a-f]{12}$/);
    expect(sandbox.messages.pushes(appId).at(-1)).toEqual(record);
  });

  it('safe mode: only ToUserName and Encrypt, msg_signature in the query; an encrypted reply is verified and opened', async () => {
    const r = await receive((p) => ({ body: sealReply(textReply(p.query.openid!, '加密的回复'), secrets) }));
    const record = await sandbox.pushMessage({ kind: 'text', content: '你好', mode: 'safe', url: r.url });
    const push = await r.next();
    expect(Object.keys(push.query)).toEqual(['signature', 'timestamp', 'nonce', 'openid', 'encrypt_type', 'msg_signature']);
    const xml = plainMessageOf(push, 'safe');
    expect(fieldOf(push.body, 'ToUserName')).toBe(originalId);
    expect(fieldOf(xml, 'Content')).toBe('你好');
    expect(fieldOf(xml, 'FromUserName')).toBe(alice);
    expect(record).toMatchObject({
      outcome: 'replied',
      replyForm: 'encrypted',
      reply: { MsgType: 'text', Content: '加密的回复' },
    });
  });

  it('compatible mode: the plain fields and Encrypt; a plain or an encrypted reply is taken', async () => {
    const r = await receive((p, i) => {
      const reply = textReply(p.query.openid!, `reply ${i}`);
      return { body: i === 0 ? reply : sealReply(reply, secrets) };
    });
    const first = await sandbox.pushMessage({ kind: 'text', content: 'one', mode: 'compatible', url: r.url });
    const second = await sandbox.pushMessage({ kind: 'text', content: 'two', mode: 'compatible', url: r.url });
    expect(fieldOf(plainMessageOf(await r.next(), 'compatible'), 'Content')).toBe('one');
    expect(fieldOf(plainMessageOf(await r.next(), 'compatible'), 'Content')).toBe('two');
    expect(first).toMatchObject({ outcome: 'replied', replyForm: 'plain', reply: { Content: 'reply 0' } });
    expect(second).toMatchObject({ outcome: 'replied', replyForm: 'encrypted', reply: { Content: 'reply 1' } });
    expect(first.msgId).not.toBe(second.msgId);
  });

  it('success or an empty body: nothing to say, one try', async () => {
    const r = await receive((_p, i) => ({ body: i === 0 ? 'success' : '' }));
    for (const mode of ['safe', 'plain'] as const) {
      const record = await sandbox.pushMessage({ kind: 'subscribe', mode, url: r.url });
      expect(record).toMatchObject({ outcome: 'success', reply: 'success' });
      expect(record.attempts).toHaveLength(1);
    }
  });

  it('voice: a voice registered in the media store, Format amr, MsgId and MediaId16K', async () => {
    const r = await receive(() => ({ body: 'success' }));
    const record = await sandbox.pushMessage({ kind: 'voice', user: 'html', mode: 'plain', url: r.url });
    const xml = plainMessageOf(await r.next(), 'plain');
    expect(elementsOf(xml)).toEqual([
      'ToUserName',
      'FromUserName',
      'CreateTime',
      'MsgType',
      'MediaId',
      'Format',
      'MsgId',
      'MediaId16K',
    ]);
    expect(fieldOf(xml, 'MsgType')).toBe('voice');
    expect(fieldOf(xml, 'Format')).toBe('amr');
    expect(fieldOf(xml, 'FromUserName')).toBe(sandbox.openidOf(appId, 'html'));
    expect(fieldOf(xml, 'MediaId')).toBe(record.mediaId);
    expect(fieldOf(xml, 'MediaId16K')).toBe(record.mediaId16K);
    for (const id of [record.mediaId!, record.mediaId16K!]) {
      expect(sandbox.media.info(id)).toMatchObject({ appId, type: 'voice' });
      expect(sandbox.media.isLive(id)).toBe(true);
    }
    expect(sandbox.mediaDownload(record.mediaId!)).toMatchObject({ contentType: 'audio/amr', encoding: 'amr' });
  });

  it('events: CLICK with its EventKey, subscribe, unsubscribe; no MsgId', async () => {
    const r = await receive(() => ({ body: 'success' }));
    await sandbox.pushMessage({ kind: 'click', eventKey: 'MENU_V1001', mode: 'plain', url: r.url });
    await sandbox.pushMessage({ kind: 'subscribe', mode: 'plain', url: r.url });
    const unsub = await sandbox.pushMessage({ kind: 'unsubscribe', mode: 'plain', url: r.url });
    const [click, sub, un] = [await r.next(), await r.next(), await r.next()].map((p) => plainMessageOf(p, 'plain'));
    expect(elementsOf(click!)).toEqual(['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Event', 'EventKey']);
    expect([fieldOf(click!, 'MsgType'), fieldOf(click!, 'Event'), fieldOf(click!, 'EventKey')]).toEqual([
      'event',
      'CLICK',
      'MENU_V1001',
    ]);
    expect(elementsOf(sub!)).toEqual(['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Event']);
    expect(fieldOf(sub!, 'Event')).toBe('subscribe');
    expect(fieldOf(un!, 'Event')).toBe('unsubscribe');
    expect(unsub.msgId).toBeUndefined();
    expect(unsub.message).toEqual({
      ToUserName: originalId,
      FromUserName: alice,
      CreateTime: String(clock.t / 1000),
      MsgType: 'event',
      Event: 'unsubscribe',
    });
  });

  it('MsgIds are 20-digit strings, unique', async () => {
    const r = await receive(() => ({ body: 'success' }));
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const record = await sandbox.pushMessage({ kind: 'text', content: `m${i}`, mode: 'plain', url: r.url });
      expect(record.msgId).toMatch(/^\d{20}$/);
      ids.add(record.msgId!);
    }
    expect(ids.size).toBe(5);
  });

  it('non-2xx answers: 3 tries in all of the same message, then failed', async () => {
    const r = await receive((_p, i) => ({ status: [500, 404, 302][i], body: 'no' }));
    const record = await sandbox.pushMessage({ kind: 'text', content: 'again', mode: 'safe', url: r.url });
    expect(record.attempts.map((a) => [a.attempt, a.status, a.outcome])).toEqual([
      [1, 500, 'http error'],
      [2, 404, 'http error'],
      [3, 302, 'http error'],
    ]);
    expect(record).toMatchObject({ outcome: 'failed', problem: 'http error' });
    expect(record.reply).toBeUndefined();
    const messages = r.received.map((p) => plainMessageOf(p, 'safe'));
    expect(new Set(messages).size).toBe(1);
    expect(fieldOf(messages[0]!, 'MsgId')).toBe(record.msgId);
  });

  it('a wrong MsgSignature is recorded as an invalid reply and retried; a later valid reply ends it', async () => {
    const r = await receive((p, i) => {
      const sealed = sealReply(textReply(p.query.openid!, 'ok now'), secrets);
      return {
        body: i === 0 ? sealed.replace(/<MsgSignature><!\[CDATA\[[0-9a-f]+/, '<MsgSignature><![CDATA[' + '0'.repeat(40)) : sealed,
      };
    });
    const record = await sandbox.pushMessage({ kind: 'text', content: 'sig', mode: 'safe', url: r.url });
    expect(record.attempts.map((a) => [a.outcome, a.problem])).toEqual([
      ['invalid reply', 'MsgSignature does not match'],
      ['replied', undefined],
    ]);
    expect(record).toMatchObject({ outcome: 'replied', reply: { Content: 'ok now' } });
  });

  it('invalid replies: another appId, a plain reply in safe mode, wrong addressees, not XML, a DTD', async () => {
    const cases: Array<[string, (openid: string) => string, 'safe' | 'plain' | 'compatible']> = [
      [
        'the reply is encrypted for another appId',
        (o) => sealReply(textReply(o, 'x'), { ...secrets, appId: 'wx_other' }),
        'safe',
      ],
      [
        "Encrypt does not decrypt with the account's EncodingAESKey",
        (o) => sealReply(textReply(o, 'x'), { ...secrets, encodingAesKey: 'B'.repeat(43) }),
        'safe',
      ],
      ['the safe mode needs an encrypted reply', (o) => textReply(o, 'x'), 'safe'],
      ['an encrypted reply in the plain mode', (o) => sealReply(textReply(o, 'x'), secrets), 'plain'],
      ["ToUserName must be the user's openid", () => textReply('oSomeoneElse', 'x'), 'plain'],
      ["FromUserName must be the account's original id (gh_…)", (o) => textReply(o, 'x', 'gh_000000000000'), 'compatible'],
      ['a text reply needs a Content', (o) => textReply(o, ''), 'plain'],
      ['not well-formed XML', () => '<xml><a></b></xml>', 'plain'],
      ['XML with a DTD is refused', (o) => `<!DOCTYPE xml [<!ENTITY e "x">]>${textReply(o, '&e;')}`, 'plain'],
    ];
    for (const [problem, body, mode] of cases) {
      const r = await receive((p) => ({ body: body(p.query.openid!) }));
      const record = await sandbox.pushMessage({ kind: 'text', content: 'bad', mode, url: r.url });
      expect(record.attempts.map((a) => [a.status, a.outcome, a.problem])).toEqual(
        Array.from({ length: 3 }, () => [200, 'invalid reply', problem]),
      );
      expect(record).toMatchObject({ outcome: 'failed', problem });
      await r.close();
      receiver = undefined;
    }
  });

  it('other reply types are decoded as their fields (news items as a list)', async () => {
    const news = (o: string) =>
      `<xml><ToUserName><![CDATA[${o}]]></ToUserName><FromUserName><![CDATA[${originalId}]]></FromUserName><CreateTime>1700000002</CreateTime><MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount><Articles><item><Title><![CDATA[T]]></Title><Url><![CDATA[https://example.com/a?x=1&amp;y=2]]></Url></item></Articles></xml>`;
    const r = await receive((p) => ({ body: news(p.query.openid!) }));
    const record = await sandbox.pushMessage({ kind: 'click', eventKey: 'NEWS', mode: 'plain', url: r.url });
    expect(record.reply).toEqual({
      ToUserName: alice,
      FromUserName: originalId,
      CreateTime: '1700000002',
      MsgType: 'news',
      ArticleCount: '1',
      Articles: { item: [{ Title: 'T', Url: 'https://example.com/a?x=1&amp;y=2' }] },
    });
  });

  it('a connection refused counts as a failed try, 3 in all', async () => {
    const r = await receive(() => ({ body: 'success' }));
    const url = r.url;
    await r.close();
    receiver = undefined;
    const record = await sandbox.pushMessage({ kind: 'text', content: 'nobody', mode: 'plain', url });
    expect(record.attempts.map((a) => a.outcome)).toEqual(['connection failed', 'connection failed', 'connection failed']);
    expect(record.outcome).toBe('failed');
  });

  it('refuses requests it cannot play, without naming the token or key', async () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ kind: 'text', url: 'http://127.0.0.1:9/' }, /content/],
      [{ kind: 'click', url: 'http://127.0.0.1:9/' }, /eventKey/],
      [{ kind: 'poke', url: 'http://127.0.0.1:9/' }, /kind must be one of/],
      [{ kind: 'subscribe', user: 'nobody', url: 'http://127.0.0.1:9/' }, /unknown user/],
      [{ kind: 'subscribe', appId: 'wxnope', url: 'http://127.0.0.1:9/' }, /unknown appId/],
      [{ kind: 'subscribe', url: 'ftp://127.0.0.1/' }, /http\(s\) url/],
      [{ kind: 'subscribe', url: 'not a url' }, /http\(s\) url/],
      [{ kind: 'subscribe', url: 'http://u:p@127.0.0.1/' }, /credentials/],
      [{ kind: 'subscribe', mode: 'loud', url: 'http://127.0.0.1:9/' }, /mode must be one of/],
      [{ kind: 'subscribe', appId: PLAIN_ONLY.appId, mode: 'safe', url: 'http://127.0.0.1:9/' }, /messageAesKey/],
      [{ kind: 'text', content: 'x'.repeat(2049), url: 'http://127.0.0.1:9/' }, /content/],
    ];
    for (const [request, message] of bad) {
      const err = await sandbox.pushMessage(request as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SandboxMessageError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain(messageToken);
    }
    const noToken = new Sandbox({ accounts: [{ appId: 'wx1', appSecret: 's' }] });
    await expect(noToken.pushMessage({ kind: 'subscribe', url: 'http://127.0.0.1:9/' })).rejects.toThrow(/no messageToken/);
  });

  it('an account without a key pushes in plain mode by default; with one, in safe mode', async () => {
    const r = await receive(() => ({ body: 'success' }));
    const plain = await sandbox.pushMessage({ appId: PLAIN_ONLY.appId, kind: 'subscribe', url: r.url });
    const safe = await sandbox.pushMessage({ kind: 'subscribe', url: r.url });
    expect([plain.mode, safe.mode]).toEqual(['plain', 'safe']);
    const p = await r.next();
    expect(p.query.signature).toBe(sha1Sorted([PLAIN_ONLY.messageToken, p.query.timestamp!, p.query.nonce!]));
    expect(fieldOf(p.body, 'ToUserName')).toMatch(/^gh_[0-9a-f]{12}$/);
    expect(fieldOf(p.body, 'ToUserName')).not.toBe(originalId);
  });
});

describe('sandbox message push: the 5-second wait, scaled', () => {
  const sandbox = new Sandbox({ messageReplyWaitMs: 500 });
  const alice = sandbox.openidOf(appId, 'alice');
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await sandbox.messages.idle();
    await receiver?.close();
    receiver = undefined;
  });

  it('no answer in time: tried again with the same message, and the reply of the second try is taken', async () => {
    const r = (receiver = await startMessageReceiver((p, i) =>
      i === 0 ? 'hold' : { body: sealReply(textReply(p.query.openid!, 'late but fine'), secrets) },
    ));
    const record = await sandbox.pushMessage({ kind: 'text', content: 'slow', mode: 'safe', url: r.url });
    expect(record.attempts.map((a) => [a.attempt, a.status, a.outcome])).toEqual([
      [1, undefined, 'timeout'],
      [2, 200, 'replied'],
    ]);
    expect(record.attempts[0]!.elapsedMs).toBeGreaterThanOrEqual(450);
    expect(record).toMatchObject({ outcome: 'replied', reply: { ToUserName: alice, Content: 'late but fine' } });
    const [first, second] = r.received.map((p) => plainMessageOf(p, 'safe'));
    expect(first).toBe(second);
    expect(fieldOf(first!, 'MsgId')).toBe(record.msgId);
  });

  it('never answered: 3 timeouts, then failed', async () => {
    const r = (receiver = await startMessageReceiver(() => 'hold'));
    const record = await sandbox.pushMessage({ kind: 'click', eventKey: 'K', mode: 'plain', url: r.url });
    expect(record.attempts.map((a) => a.outcome)).toEqual(['timeout', 'timeout', 'timeout']);
    expect(record).toMatchObject({ outcome: 'failed', problem: 'timeout' });
    expect(r.received).toHaveLength(3);
  });

  it('a push being delivered lists its finished tries; stop() ends it without more tries', async () => {
    const slow = new Sandbox({ messageReplyWaitMs: 60_000 });
    const r = (receiver = await startMessageReceiver((_p, i) => (i === 0 ? { status: 503 } : 'hold')));
    const pending = slow.pushMessage({ kind: 'subscribe', mode: 'plain', url: r.url });
    await r.next();
    await r.next();
    expect(slow.messages.pushes(appId)).toMatchObject([
      { outcome: 'pending', attempts: [{ status: 503, outcome: 'http error' }] },
    ]);
    slow.messages.stop();
    const record = await pending;
    expect(record.attempts.map((a) => a.outcome)).toEqual(['http error', 'stopped']);
    expect(record).toMatchObject({ outcome: 'failed', problem: 'stopped' });
    await slow.messages.idle();
  });
});
