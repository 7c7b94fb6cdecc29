import { htmlText } from './html.js';

describe('htmlText', () => {
  it('escapes the five characters that end text or an attribute, and shows control characters as pictures', () => {
    expect(htmlText(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(htmlText('a\u0000b\u001fc\td\ne')).toBe('a\u2400b\u241fc\td\ne');
    expect(htmlText('微信 plain')).toBe('微信 plain');
  });
});
