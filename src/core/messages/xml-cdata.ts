// Characters XML 1.0 forbids: controls other than tab, newline and return, lone surrogates, U+FFFE and U+FFFF.
const FORBIDDEN_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** The text without the characters XML 1.0 forbids, which WeChat's parser would choke on. */
export function stripForbiddenXmlChars(text: string): string {
  return text.replace(FORBIDDEN_XML_CHARS, '');
}

/** The text as one or more CDATA sections: a `]]>` inside is split so it cannot close the section. */
export function cdata(text: string): string {
  return `<![CDATA[${stripForbiddenXmlChars(text).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
