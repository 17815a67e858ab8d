import proxyAddr from 'proxy-addr';

/** Decides, hop by hop, whether an address may name the client in `X-Forwarded-For`. */
export type ProxyTrust = (address: string, hop: number) => boolean;

const TRUST_NONE: ProxyTrust = () => false;

/**
 * `TRUST_PROXY` as a trust function: unset (or `0`) trusts no one, so the TCP peer is
 * the client; a hop count `n` trusts the nearest `n` hops whatever their address (as
 * Express's `trust proxy` does); anything else is a comma-separated list of addresses,
 * CIDRs and the names `loopback`, `linklocal`, `uniquelocal`. Throws on a bad entry, which
 * is how the environment check finds one.
 *
 * @example compileProxyTrust('loopback, 10.0.0.0/8')('127.0.0.1', 0) // true
 */
export function compileProxyTrust(value: string | undefined): ProxyTrust {
  const spec = (value ?? '').trim();
  if (spec === '') {
    return TRUST_NONE;
  }
  if (/^\d+$/.test(spec)) {
    const hops = Number(spec);
    return hops === 0 ? TRUST_NONE : (_address, hop) => hop < hops;
  }
  const entries = spec.split(',').map((entry) => entry.trim());
  if (entries.some((entry) => entry === '')) {
    throw new Error('an empty entry');
  }
  return proxyAddr.compile(entries);
}
