import { MessageReplyError } from './message-errors.js';
import { readMessageXml } from './message-xml.js';
import { checkReply, replyXml } from './passive-reply.js';
import type { MessageReply } from './passive-reply.js';

const address = { toUser: 'oUser', fromUser: 'gh_account', createTime: 1700000000 };
const HEAD =
  '<xml><ToUserName><![CDATA[oUser]]></ToUserName><FromUserName><![CDATA[gh_account]]></FromUserName><CreateTime>1700000000</CreateTime>';

describe('replyXml', () => {
  it.each<[string, MessageReply, string]>([
    ['text', { type: 'text', content: 'hi' }, '<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content>'],
    [
      'image',
      { type: 'image', mediaId: 'm1' },
      '<MsgType><![CDATA[image]]></MsgType><Image><MediaId><![CDATA[m1]]></MediaId></Image>',
    ],
    [
      'voice',
      { type: 'voice', mediaId: 'm2' },
      '<MsgType><![CDATA[voice]]></MsgType><Voice><MediaId><![CDATA[m2]]></MediaId></Voice>',
    ],
    [
      'video',
      { type: 'video', mediaId: 'm3', title: 'T', description: 'D' },
      '<MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[m3]]></MediaId><Title><![CDATA[T]]></Title><Description><![CDATA[D]]></Description></Video>',
    ],
    [
      'video without title and description',
      { type: 'video', mediaId: 'm3' },
      '<MsgType><![CDATA[video]]></MsgType><Video><MediaId><![CDATA[m3]]></MediaId></Video>',
    ],
    [
      'music',
      {
        type: 'music',
        title: 'T',
        description: 'D',
        musicUrl: 'http://a/1.mp3',
        hqMusicUrl: 'http://a/2.mp3',
        thumbMediaId: 't1',
      },
      '<MsgType><![CDATA[music]]></MsgType><Music><Title><![CDATA[T]]></Title><Description><![CDATA[D]]></Description><MusicUrl><![CDATA[http://a/1.mp3]]></MusicUrl><HQMusicUrl><![CDATA[http://a/2.mp3]]></HQMusicUrl><ThumbMediaId><![CDATA[t1]]></ThumbMediaId></Music>',
    ],
    [
      'music with only its thumb',
      { type: 'music', thumbMediaId: 't1' },
      '<MsgType><![CDATA[music]]></MsgType><Music><ThumbMediaId><![CDATA[t1]]></ThumbMediaId></Music>',
    ],
    [
      'news',
      {
        type: 'news',
        articles: [
          { title: 'A', description: 'd', picUrl: 'http://p', url: 'http://u' },
          { title: 'B', url: 'http://v' },
        ],
      },
      '<MsgType><![CDATA[news]]></MsgType><ArticleCount>2</ArticleCount><Articles>' +
        '<item><Title><![CDATA[A]]></Title><Description><![CDATA[d]]></Description><PicUrl><![CDATA[http://p]]></PicUrl><Url><![CDATA[http://u]]></Url></item>' +
        '<item><Title><![CDATA[B]]></Title><Description><![CDATA[]]></Description><PicUrl><![CDATA[]]></PicUrl><Url><![CDATA[http://v]]></Url></item>' +
        '</Articles>',
    ],
  ])('builds a %s reply with WeChat tag names', (_case, reply, body) => {
    expect(replyXml(reply, address)).toBe(`${HEAD}${body}</xml>`);
  });

  it('splits a `]]>` in the content so it cannot close the CDATA', () => {
    const xml = replyXml({ type: 'text', content: 'a]]><b>x</b>]]>' }, address);
    expect(xml).toContain('<Content><![CDATA[a]]]]><![CDATA[><b>x</b>]]]]><![CDATA[>]]></Content>');
    expect(readMessageXml(xml).Content).toBe('a]]><b>x</b>]]>');
  });

  it('strips the characters XML 1.0 forbids and keeps tab, newline, return and astral characters', () => {
    const content = 'a\u0000b\u0008c\u000bd\u001fe\uFFFEf\uD800g\t\n\r😀';
    expect(replyXml({ type: 'text', content }, address)).toContain('<Content><![CDATA[abcdefg\t\n\r😀]]></Content>');
  });

  it('escapes the addresses too', () => {
    const xml = replyXml({ type: 'text', content: 'x' }, { ...address, toUser: 'o]]><Evil/>' });
    expect(readMessageXml(xml).ToUserName).toBe('o]]><Evil/>');
  });

  it('takes a createTime of 0 (whole seconds, not negative)', () => {
    expect(readMessageXml(replyXml({ type: 'text', content: 'x' }, { ...address, createTime: 0 })).CreateTime).toBe('0');
  });

  it.each([1.5, -1, Number.NaN])('refuses a createTime of %s', (createTime) => {
    expect(() => replyXml({ type: 'text', content: 'x' }, { ...address, createTime })).toThrow('createTime');
  });

  it('reads back as the fields WeChat will see', () => {
    const xml = replyXml({ type: 'news', articles: [{ title: 'A' }] }, address);
    expect(readMessageXml(xml)).toEqual({
      ToUserName: 'oUser',
      FromUserName: 'gh_account',
      CreateTime: '1700000000',
      MsgType: 'news',
      ArticleCount: '1',
      Articles: { item: [{ Title: 'A', Description: '', PicUrl: '', Url: '' }] },
    });
  });
});

describe('checkReply accepts', () => {
  it.each<[string, unknown, MessageReply]>([
    ['text', { type: 'text', content: 'hi', extra: 1 }, { type: 'text', content: 'hi' }],
    ['image', { type: 'image', mediaId: 'm' }, { type: 'image', mediaId: 'm' }],
    ['voice', { type: 'voice', mediaId: 'm' }, { type: 'voice', mediaId: 'm' }],
    ['video with null fields', { type: 'video', mediaId: 'm', title: null }, { type: 'video', mediaId: 'm' }],
    [
      'video',
      { type: 'video', mediaId: 'm', title: 't', description: 'd' },
      { type: 'video', mediaId: 'm', title: 't', description: 'd' },
    ],
    [
      'music',
      { type: 'music', thumbMediaId: 't', musicUrl: 'http://a', hqMusicUrl: 'http://b', title: 'x', description: '' },
      { type: 'music', thumbMediaId: 't', musicUrl: 'http://a', hqMusicUrl: 'http://b', title: 'x', description: '' },
    ],
    [
      'news',
      { type: 'news', articles: [{ title: 'a', url: 'http://u', other: 2 }] },
      { type: 'news', articles: [{ title: 'a', url: 'http://u' }] },
    ],
  ])('%s, dropping unknown and null fields', (_case, value, reply) => {
    const checked = checkReply(value);
    expect(checked).toStrictEqual(reply);
  });

  it('eight articles', () => {
    const articles = Array.from({ length: 8 }, (_, i) => ({ title: `t${i}` }));
    expect(checkReply({ type: 'news', articles })).toEqual({ type: 'news', articles });
  });
});

describe('checkReply refuses, naming the field and never the content', () => {
  it.each<[string, unknown, string]>([
    ['null', null, 'reply'],
    ['a string', 'secret text', 'reply'],
    ['an array', [{ type: 'text' }], 'reply'],
    ['an unknown type', { type: 'secret-type' }, 'reply.type'],
    ['no type', { content: 'x' }, 'reply.type'],
    ['text without content', { type: 'text' }, 'reply.content'],
    ['text with empty content', { type: 'text', content: '' }, 'reply.content'],
    ['text with a number', { type: 'text', content: 12 }, 'reply.content'],
    ['image without mediaId', { type: 'image' }, 'reply.mediaId'],
    ['voice with an object', { type: 'voice', mediaId: {} }, 'reply.mediaId'],
    ['video with a number title', { type: 'video', mediaId: 'm', title: 1 }, 'reply.title'],
    ['video without mediaId', { type: 'video', title: 'secret text' }, 'reply.mediaId'],
    ['music without thumbMediaId', { type: 'music', musicUrl: 'http://a' }, 'reply.thumbMediaId'],
    ['music with a bad hqMusicUrl', { type: 'music', thumbMediaId: 't', hqMusicUrl: true }, 'reply.hqMusicUrl'],
    ['news without articles', { type: 'news' }, 'reply.articles'],
    ['news with no article', { type: 'news', articles: [] }, 'reply.articles'],
    ['news with nine articles', { type: 'news', articles: Array(9).fill({ title: 't' }) }, 'reply.articles'],
    ['news with an article that is no object', { type: 'news', articles: [{ title: 'a' }, 'secret text'] }, 'reply.articles[1]'],
    ['news with an article without title', { type: 'news', articles: [{ url: 'secret text' }] }, 'reply.articles[0].title'],
    ['news with a bad picUrl', { type: 'news', articles: [{ title: 't', picUrl: 5 }] }, 'reply.articles[0].picUrl'],
  ])('%s', (_case, value, field) => {
    let error: unknown;
    try {
      checkReply(value);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(MessageReplyError);
    const problem = error as MessageReplyError;
    expect(problem.statusCode).toBe(502);
    expect(problem.code).toBe('MESSAGE_REPLY_INVALID');
    expect(problem.field).toBe(field);
    expect(problem.message.startsWith(`${field} `)).toBe(true);
    expect(problem.body.field).toBe(field);
    expect(problem.message).not.toContain('secret');
  });
});
