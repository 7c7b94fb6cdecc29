import { fastifyTrustProxy, parseTrustProxy } from './trust-proxy.js';

const REFUSED = { problem: 'must be false, a number of proxies (1, 2, ...), or comma-separated proxy IPs/CIDRs' };

describe('parseTrustProxy', () => {
  it('reads no proxy from empty, false, no, off and 0, in any case and with spaces around', () => {
    for (const raw of ['', '  ', 'false', 'no', 'off', '0', '00', ' FALSE ', 'Off', '\t0\n']) {
      expect([raw, parseTrustProxy(raw)]).toEqual([raw, { value: false }]);
    }
  });

  it('reads trust-everyone from true, yes and on, in any case and with spaces around', () => {
    for (const raw of ['true', 'yes', 'on', ' TRUE ', 'Yes', '\ton']) {
      expect([raw, parseTrustProxy(raw)]).toEqual([raw, { value: true }]);
    }
  });

  it('reads a hop count of up to 10 proxies, and refuses more', () => {
    expect(parseTrustProxy('1')).toEqual({ value: 1 });
    expect(parseTrustProxy(' 2 ')).toEqual({ value: 2 });
    expect(parseTrustProxy('10')).toEqual({ value: 10 });
    expect(parseTrustProxy('010')).toEqual({ value: 10 });
    expect(parseTrustProxy('11')).toEqual({ problem: 'a hop count must be 1 to 10' });
    expect(parseTrustProxy('100')).toEqual({ problem: 'a hop count must be 1 to 10' });
  });

  it('reads anything else as proxy addresses: IPs, CIDRs and the named ranges, trimmed and lowercased', () => {
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.7,LOOPBACK , ::1, FD00::/8,linklocal,uniquelocal')).toEqual({
      value: ['10.0.0.0/8', '192.168.1.7', 'loopback', '::1', 'fd00::/8', 'linklocal', 'uniquelocal'],
    });
    // empty entries between commas are skipped
    expect(parseTrustProxy('10.0.0.1,,  ,10.0.0.2')).toEqual({ value: ['10.0.0.1', '10.0.0.2'] });
  });

  it('refuses a list with one entry that is neither an address, a CIDR nor a named range', () => {
    for (const raw of ['maybe', 'loopback,nope', '10.0.0.1, 300.1.1.1', 'localhost', '1.5', '-1', '1 2', '/8']) {
      expect([raw, parseTrustProxy(raw)]).toEqual([raw, REFUSED]);
    }
  });

  it('refuses a list of nothing but commas', () => {
    expect(parseTrustProxy(',')).toEqual(REFUSED);
    expect(parseTrustProxy(' , ,')).toEqual(REFUSED);
  });

  it('takes a CIDR prefix of 0 to 32 bits for IPv4 and 0 to 128 for IPv6, in 1 to 3 digits', () => {
    for (const cidr of ['10.0.0.0/0', '10.0.0.0/8', '10.0.0.0/32', '::/0', '::/64', 'fd00::/128', '10.0.0.0/032']) {
      expect([cidr, parseTrustProxy(cidr)]).toEqual([cidr, { value: [cidr] }]);
    }
    for (const cidr of [
      '10.0.0.0/33',
      '10.0.0.0/64',
      '::/129',
      '10.0.0.0/',
      '10.0.0.0/0008',
      '::/0128',
      '10.0.0.0/8a',
      '10.0.0.0/x8',
    ]) {
      expect([cidr, parseTrustProxy(cidr)]).toEqual([cidr, REFUSED]);
    }
  });
});

describe('fastifyTrustProxy', () => {
  it('hands false, true and addresses on as they are', () => {
    expect(fastifyTrustProxy(false)).toBe(false);
    expect(fastifyTrustProxy(true)).toBe(true);
    const addresses = ['10.0.0.0/8'];
    expect(fastifyTrustProxy(addresses)).toBe(addresses);
  });

  it('turns a hop count into a function trusting that many hops from the socket, no more', () => {
    const two = fastifyTrustProxy(2) as (address: string, hop: number) => boolean;
    expect([0, 1, 2, 3].map((hop) => two('10.0.0.1', hop))).toEqual([true, true, false, false]);
    const one = fastifyTrustProxy(1) as (address: string, hop: number) => boolean;
    expect([0, 1].map((hop) => one('10.0.0.1', hop))).toEqual([true, false]);
  });
});
