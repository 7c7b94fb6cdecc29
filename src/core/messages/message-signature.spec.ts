import { messageSignature, signatureMatches, urlSignature } from './message-signature.js';

// Known answers of open-platform.md B13.
const V1 = {
  token: 'pamtest',
  timestamp: '1458300676',
  nonce: '260774613',
  msgSignature: '4f3ad57b6989f09f4eb392acce4f9e93942ed890',
  encrypt:
    'rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA==',
};
const V3_ECHO = {
  token: '123456',
  signature: 'dd6b9c95b495b3f7e2901bfbc76c664930ffdb96',
  timestamp: '1411443780',
  nonce: '437374425',
  echoStr: '4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==',
};
const V4 = {
  token: 'pamtest',
  timestamp: '1413192605',
  nonce: '1234567890',
  signature: '17a2f1dcd2c5ad8960c5d5d175691ef136e55853',
};

describe('message signatures', () => {
  it('signs the URL over the sorted token, timestamp and nonce (V4)', () => {
    expect(urlSignature(V4.token, V4.timestamp, V4.nonce)).toBe(V4.signature);
  });

  it('does not depend on the order the parts are given in', () => {
    expect(urlSignature(V4.nonce, V4.token, V4.timestamp)).toBe(V4.signature);
  });

  it('sorts as plain strings, not as numbers', () => {
    // '10' < '9' as strings: sha1('109x')
    expect(urlSignature('9', '10', 'x')).toBe('d2a0d52cf66a453cda6627020bb89b1195badce4');
  });

  it('signs an encrypted message over the sorted token, timestamp, nonce and Encrypt (V1)', () => {
    expect(messageSignature(V1.token, V1.timestamp, V1.nonce, V1.encrypt)).toBe(V1.msgSignature);
  });

  it("matches V3's signature over the echo_str, and not with nonce 437374424", () => {
    const { token, timestamp, echoStr } = V3_ECHO;
    expect(signatureMatches(messageSignature(token, timestamp, V3_ECHO.nonce, echoStr), V3_ECHO.signature)).toBe(true);
    expect(signatureMatches(messageSignature(token, timestamp, '437374424', echoStr), V3_ECHO.signature)).toBe(false);
  });
});

describe('signatureMatches', () => {
  const expected = V4.signature;

  it('accepts the same hex', () => {
    expect(signatureMatches(expected, `${expected}`)).toBe(true);
  });

  it.each([
    ['one character changed', `${expected.slice(0, -1)}4`],
    ['uppercase', expected.toUpperCase()],
    ['too short', expected.slice(0, -1)],
    ['too long', `${expected}0`],
    ['empty', ''],
    ['a number', 17],
    ['undefined', undefined],
    ['an array', [expected]],
    ['same length in characters but not in bytes', `${expected.slice(0, -1)}é`],
  ])('refuses %s', (_case, given) => {
    expect(signatureMatches(expected, given)).toBe(false);
  });
});
