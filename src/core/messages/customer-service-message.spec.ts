import { customerServiceBody } from './customer-service-message.js';
import type { MessageReply } from './passive-reply.js';

const OPENID = 'oUser-0123456789abcdef';

describe('customerServiceBody', () => {
  it.each<[string, MessageReply, Record<string, unknown>]>([
    ['text', { type: 'text', content: '你好 <b>&' }, { text: { content: '你好 <b>&' } }],
    ['image', { type: 'image', mediaId: 'MEDIA_IMG' }, { image: { media_id: 'MEDIA_IMG' } }],
    ['voice', { type: 'voice', mediaId: 'MEDIA_VOICE' }, { voice: { media_id: 'MEDIA_VOICE' } }],
    [
      'video',
      { type: 'video', mediaId: 'MEDIA_VIDEO', title: 'A title', description: 'A description' },
      { video: { media_id: 'MEDIA_VIDEO', title: 'A title', description: 'A description' } },
    ],
    [
      'music',
      {
        type: 'music',
        thumbMediaId: 'THUMB',
        title: 'Song',
        description: 'About it',
        musicUrl: 'http://m.example.com/a.mp3',
        hqMusicUrl: 'https://m.example.com/a-hq.mp3',
      },
      {
        music: {
          title: 'Song',
          description: 'About it',
          musicurl: 'http://m.example.com/a.mp3',
          hqmusicurl: 'https://m.example.com/a-hq.mp3',
          thumb_media_id: 'THUMB',
        },
      },
    ],
    [
      'news',
      {
        type: 'news',
        articles: [{ title: 'First', description: 'One', url: 'https://a.example.com/1', picUrl: 'https://a.example.com/1.jpg' }],
      },
      {
        news: {
          articles: [
            { title: 'First', description: 'One', url: 'https://a.example.com/1', picurl: 'https://a.example.com/1.jpg' },
          ],
        },
      },
    ],
  ])('sends a %s reply under the names of custom/send', (type, reply, content) => {
    const body = customerServiceBody(OPENID, reply);
    expect(body).toStrictEqual({ touser: OPENID, msgtype: type, ...content });
  });

  it('leaves the optional fields of a video or music reply out of its JSON when not given', () => {
    const video = customerServiceBody(OPENID, { type: 'video', mediaId: 'V' });
    expect(JSON.parse(JSON.stringify(video))).toStrictEqual({ touser: OPENID, msgtype: 'video', video: { media_id: 'V' } });
    const music = customerServiceBody(OPENID, { type: 'music', thumbMediaId: 'T' });
    expect(JSON.parse(JSON.stringify(music))).toStrictEqual({ touser: OPENID, msgtype: 'music', music: { thumb_media_id: 'T' } });
  });

  it('sends only the first article of a news reply: a customer-service news message carries one', () => {
    const body = customerServiceBody(OPENID, {
      type: 'news',
      articles: [{ title: 'First' }, { title: 'Second', url: 'https://a.example.com/2' }, { title: 'Third' }],
    });
    expect(JSON.parse(JSON.stringify(body))).toStrictEqual({
      touser: OPENID,
      msgtype: 'news',
      news: { articles: [{ title: 'First' }] },
    });
  });
});
