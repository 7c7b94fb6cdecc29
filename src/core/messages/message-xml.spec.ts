import { MessageTooLargeError, MessageXmlError } from './message-errors.js';
import { MAX_MESSAGE_BYTES, readMessageXml } from './message-xml.js';

const TEXT_MESSAGE =
  '<xml><ToUserName><![CDATA[gh_123456789abc]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[this is a test]]></Content><MsgId>1234567890123456</MsgId></xml>';

function xmlError(body: string | Buffer): MessageXmlError {
  try {
    readMessageXml(body);
  } catch (error) {
    expect(error).toBeInstanceOf(MessageXmlError);
    expect((error as MessageXmlError).statusCode).toBe(400);
    expect((error as MessageXmlError).code).toBe('MESSAGE_XML_INVALID');
    return error as MessageXmlError;
  }
  throw new Error('readMessageXml did not throw');
}

describe('readMessageXml reads', () => {
  it('a document with white space around its root', () => {
    expect(readMessageXml(`\n  ${TEXT_MESSAGE}\n`)).toEqual(readMessageXml(TEXT_MESSAGE));
  });

  it('the fields of a text message, every value a string', () => {
    expect(readMessageXml(TEXT_MESSAGE)).toEqual({
      ToUserName: 'gh_123456789abc',
      FromUserName: 'oUser',
      CreateTime: '1348831860',
      MsgType: 'text',
      Content: 'this is a test',
      MsgId: '1234567890123456',
    });
  });

  it('a Buffer as UTF-8, and a leading BOM and XML declaration', () => {
    const body = Buffer.from('\uFEFF<?xml version="1.0" encoding="UTF-8"?><xml><Content><![CDATA[中文]]></Content></xml>');
    expect(readMessageXml(body)).toEqual({ Content: '中文' });
  });

  it('a 20-digit MsgId as the exact string, and numbers with leading zeros as sent', () => {
    const fields = readMessageXml(
      '<xml><MsgId>12345678901234567890</MsgId><Count>007</Count><Location_X>23.10</Location_X></xml>',
    );
    expect(fields).toEqual({ MsgId: '12345678901234567890', Count: '007', Location_X: '23.10' });
  });

  it('CDATA and text without trimming, and empty elements as ""', () => {
    const fields = readMessageXml('<xml><Content><![CDATA[  two spaces\n]]></Content><Plain> a </Plain><E></E><F/></xml>');
    expect(fields).toEqual({ Content: '  two spaces\n', Plain: ' a ', E: '', F: '' });
  });

  it('a `<!` or `<?` inside CDATA as content', () => {
    expect(readMessageXml('<xml><Content><![CDATA[<!DOCTYPE x><?pi?>]]></Content></xml>')).toEqual({
      Content: '<!DOCTYPE x><?pi?>',
    });
  });

  it('nested events, with whitespace between elements dropped and attributes ignored', () => {
    const body = `<xml>
      <Event><![CDATA[scancode_push]]></Event>
      <ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType><ScanResult><![CDATA[1]]></ScanResult></ScanCodeInfo>
      <SendPicsInfo a="1"><Count>2</Count><PicList>
        <item><PicMd5Sum><![CDATA[aa]]></PicMd5Sum></item>
        <item><PicMd5Sum><![CDATA[bb]]></PicMd5Sum></item>
      </PicList></SendPicsInfo>
    </xml>`;
    expect(readMessageXml(body)).toEqual({
      Event: 'scancode_push',
      ScanCodeInfo: { ScanType: 'qrcode', ScanResult: '1' },
      SendPicsInfo: { Count: '2', PicList: { item: [{ PicMd5Sum: 'aa' }, { PicMd5Sum: 'bb' }] } },
    });
  });

  it('a single `<item>` as a list of one, and repeated text elements as a list of strings', () => {
    const fields = readMessageXml('<xml><PicList><item><PicMd5Sum>aa</PicMd5Sum></item></PicList><Tag>a</Tag><Tag>b</Tag></xml>');
    expect(fields).toEqual({ PicList: { item: [{ PicMd5Sum: 'aa' }] }, Tag: ['a', 'b'] });
  });

  it('an empty root as no fields', () => {
    expect(readMessageXml('<xml></xml>')).toEqual({});
    expect(readMessageXml('<xml/>\n')).toEqual({});
  });

  it('an entity reference without expanding it', () => {
    expect(readMessageXml('<xml><Content>&xxe;</Content><Amp>a&amp;b</Amp></xml>')).toEqual({ Content: '&xxe;', Amp: 'a&amp;b' });
  });
});

describe('readMessageXml refuses', () => {
  it('the billion-laughs header', () => {
    const body =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>';
    expect(xmlError(body).message).toBe('DTDs, entities and comments are not allowed');
  });

  it.each([
    ['an external entity', '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>'],
    ['a DOCTYPE after the root', '<xml></xml><!DOCTYPE x>'],
    ['a lowercase doctype', '<!doctype xml><xml/>'],
    ['a comment', '<xml><!-- hi --><A>1</A></xml>'],
    ['an ENTITY alone', '<xml><!ENTITY a "b"></xml>'],
  ])('%s', (_case, body) => {
    expect(xmlError(body).message).toBe('DTDs, entities and comments are not allowed');
  });

  it.each([
    ['a processing instruction', '<xml><?php echo 1; ?><A>1</A></xml>'],
    ['a second declaration', '<?xml version="1.0"?><?xml version="1.0"?><xml/>'],
    ['a stylesheet', '<?xml-stylesheet href="a"?><xml/>'],
    ['a declaration after whitespace', ' <?xml version="1.0"?><xml/>'],
  ])('%s', (_case, body) => {
    expect(xmlError(body).message).toBe('processing instructions are not allowed');
  });

  it('an unclosed CDATA section', () => {
    expect(xmlError('<xml><A><![CDATA[abc</A></xml>').message).toBe('a CDATA section is not closed');
  });

  it.each([
    ['mismatched tags', '<xml><A>1</B></xml>'],
    ['an unclosed root', '<xml><A>1</A>'],
    ['text after the root', '<xml><A>1</A></xml>trailing'],
    ['a bare ampersand', '<xml><A>1 & 2</A></xml>'],
    ['not XML at all', 'garbage'],
    ['an empty body', ''],
  ])('%s as not well-formed', (_case, body) => {
    expect(xmlError(body).message).toBe('the message is not well-formed XML');
  });

  it.each([
    ['another root', '<root><A>1</A></root>'],
    ['a second, empty root', '<xml><A>1</A></xml><xml/>'],
    ['two roots of different names', '<xml><A>1</A></xml><other/>'],
  ])('%s', (_case, body) => {
    expect(xmlError(body).message).toBe('the message must have a single <xml> root');
  });

  it('two roots with fields', () => {
    xmlError('<xml><A>1</A></xml><xml><A>2</A></xml>');
  });

  it.each([
    ['text beside elements', '<xml><A><B>1</B>text</A></xml>'],
    ['text in the root', '<xml>text</xml>'],
    ['a repeated element of text and elements', '<xml><A>1</A><A><B>2</B></A></xml>'],
  ])('%s', (_case, body) => {
    expect(xmlError(body).message).toMatch(/mixes text and elements/);
  });

  it.each(['__proto__', 'constructor', 'toString'])('an element named %s', (name) => {
    expect(() => readMessageXml(`<xml><${name}>1</${name}></xml>`)).toThrow(MessageXmlError);
  });

  it('an element named after an Object method, by its name', () => {
    expect(xmlError('<xml><toString>1</toString></xml>').message).toBe('the element name toString is not allowed');
    expect(xmlError('<xml><valueOf>1</valueOf></xml>').message).toBe('the element name valueOf is not allowed');
  });

  it('a repeated element of text and elements, by its name', () => {
    expect(xmlError('<xml><item>a</item><item><B>1</B></item></xml>').message).toBe(
      'the repeated element item mixes text and elements',
    );
    expect(xmlError('<xml><A><B>1</B></A><A>2</A></xml>').message).toBe('the repeated element A mixes text and elements');
  });

  it('nesting deeper than any WeChat message', () => {
    xmlError(`<xml>${'<a>'.repeat(40)}1${'</a>'.repeat(40)}</xml>`);
  });
});

describe('readMessageXml checks the size first', () => {
  const filler = (bytes: number, close = '</A></xml>') => `<xml><A>${'x'.repeat(bytes - 8 - close.length)}${close}`;

  it('accepts exactly 64 KiB and refuses 64 KiB + 1 byte with 413', () => {
    expect(readMessageXml(filler(MAX_MESSAGE_BYTES)).A).toHaveLength(MAX_MESSAGE_BYTES - 18);
    const error = (() => {
      try {
        readMessageXml(filler(MAX_MESSAGE_BYTES + 1));
      } catch (thrown) {
        return thrown as MessageTooLargeError;
      }
    })();
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect(error?.statusCode).toBe(413);
    expect(error?.code).toBe('MESSAGE_TOO_LARGE');
  });

  it('before any parsing: a too-large malformed body is 413, not 400', () => {
    expect(() => readMessageXml(`<!DOCTYPE x>${'<'.repeat(MAX_MESSAGE_BYTES)}`)).toThrow(MessageTooLargeError);
  });

  it('in bytes, not characters, for strings and Buffers', () => {
    const body = `<xml><A>${'中'.repeat(10)}</A></xml>`; // 18 + 30 bytes, 28 characters
    expect(() => readMessageXml(body, 47)).toThrow(MessageTooLargeError);
    expect(() => readMessageXml(Buffer.from(body), 47)).toThrow(MessageTooLargeError);
    expect(readMessageXml(body, 48)).toEqual({ A: '中'.repeat(10) });
    expect(readMessageXml(Buffer.from(body), 48)).toEqual({ A: '中'.repeat(10) });
  });
});
