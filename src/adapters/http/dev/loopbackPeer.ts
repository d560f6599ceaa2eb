/**
 * Whether a socket's peer is this machine: 127.0.0.0/8, ::1, or an IPv4
 * loopback address mapped into IPv6. Read from the socket itself, never from
 * `X-Forwarded-For`, which any caller can write.
 */
export function isLoopbackPeer(remoteAddress: string | undefined): boolean {
  if (!remoteAddress) return false;
  const address = remoteAddress.toLowerCase();
  if (address === '::1' || address === '0:0:0:0:0:0:0:1') return true;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
