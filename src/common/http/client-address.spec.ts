import type { IncomingMessage } from 'node:http';
import { compileProxyTrust } from '../../config/proxy-trust';
import { assignClientAddress, clientAddressOf } from './client-address';

function request(peer: string, forwardedFor?: string): IncomingMessage {
  const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  return {
    socket: { remoteAddress: peer },
    connection: { remoteAddress: peer },
    headers,
  } as unknown as IncomingMessage;
}

function clientOf(trustProxy: string | undefined, peer: string, forwardedFor?: string): string {
  const req = request(peer, forwardedFor);
  assignClientAddress(req, compileProxyTrust(trustProxy));
  return clientAddressOf(req);
}

describe('client address', () => {
  it.each([undefined, '', '0'])('is the TCP peer whatever X-Forwarded-For says, with TRUST_PROXY=%j', (trust) => {
    expect(clientOf(trust, '127.0.0.1', '203.0.113.7')).toBe('127.0.0.1');
    expect(clientOf(trust, '198.51.100.1', '203.0.113.7, 10.0.0.1')).toBe('198.51.100.1');
  });

  it('reads X-Forwarded-For from a trusted peer only', () => {
    expect(clientOf('loopback', '127.0.0.1', '203.0.113.7')).toBe('203.0.113.7');
    expect(clientOf('loopback', '::ffff:127.0.0.1', '203.0.113.7')).toBe('203.0.113.7');
    expect(clientOf('loopback', '198.51.100.1', '203.0.113.7')).toBe('198.51.100.1');
    expect(clientOf('10.0.0.0/8, 192.168.1.5', '10.1.2.3', '203.0.113.7')).toBe('203.0.113.7');
    expect(clientOf('10.0.0.0/8, 192.168.1.5', '192.168.1.5', '203.0.113.7')).toBe('203.0.113.7');
    expect(clientOf('10.0.0.0/8, 192.168.1.5', '192.168.1.6', '203.0.113.7')).toBe('192.168.1.6');
  });

  it('stops at the nearest untrusted hop, so a client cannot prepend its own choice', () => {
    expect(clientOf('loopback', '127.0.0.1', '1.2.3.4, 203.0.113.7')).toBe('203.0.113.7');
    expect(clientOf('loopback, 10.0.0.0/8', '127.0.0.1', '1.2.3.4, 203.0.113.7, 10.0.0.2')).toBe('203.0.113.7');
  });

  it('trusts the nearest n hops with a hop count', () => {
    expect(clientOf('1', '198.51.100.1', '1.2.3.4, 203.0.113.7')).toBe('203.0.113.7');
    expect(clientOf('2', '198.51.100.1', '1.2.3.4, 203.0.113.7')).toBe('1.2.3.4');
  });

  it('settles each request of a keep-alive connection from its own X-Forwarded-For', () => {
    const trust = compileProxyTrust('loopback');
    const socket = { remoteAddress: '127.0.0.1' };
    const onSocket = (forwardedFor?: string) => {
      const req = { ...request('127.0.0.1', forwardedFor), socket, connection: socket } as unknown as IncomingMessage;
      assignClientAddress(req, trust);
      return clientAddressOf(req);
    };
    expect(onSocket('203.0.113.7')).toBe('203.0.113.7');
    expect(onSocket('203.0.113.7')).toBe('203.0.113.7');
    expect(onSocket('198.51.100.9')).toBe('198.51.100.9');
    expect(onSocket()).toBe('127.0.0.1');
    expect(onSocket('203.0.113.7, 198.51.100.9')).toBe('198.51.100.9');
  });

  it.each(['not-an-ip', '10.0.0.0/99', 'loopback,,10.0.0.1', '-1'])('refuses TRUST_PROXY=%j', (value) => {
    expect(() => compileProxyTrust(value)).toThrow();
  });
});
