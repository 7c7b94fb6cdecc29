import { parseWechatJson } from './wechat-json.js';

describe('parseWechatJson', () => {
  it('parses plain JSON objects', () => {
    expect(parseWechatJson('{"errcode":0,"ticket":"t"}')).toEqual({ errcode: 0, ticket: 't' });
  });

  it('accepts raw control characters inside strings, as WeChat has sent them', () => {
    expect(parseWechatJson('{"nickname":"a\u0001b\tc\nd","x":"\\"q\\""}')).toEqual({ nickname: 'a\u0001b\tc\nd', x: '"q"' });
  });

  it.each(['<html>502</html>', '', '[1,2]', 'null', '"text"', '{"a":'])('gives undefined for %j', (body) => {
    expect(parseWechatJson(body)).toBeUndefined();
  });
});
