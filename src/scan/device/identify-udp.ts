// Which service answers on a UDP port. UDP has no connection to tell an open port by, so the port is asked
// in the two languages the probe speaks, at once and each on its own socket: a CoAP ping (an empty
// confirmable message, which any CoAP endpoint answers with RST) and a DTLS ClientHello. Neither can be
// mistaken for the other by a server (a DTLS record is no CoAP version 1 message, and a ping is no record).
// ICMP port unreachable says the port is closed; silence says nothing (closed behind a filter, or a
// service that speaks neither).
import { ProbeError, type Endpoint } from './connection.ts';
import { CoapClient } from './coap/client.ts';
import { speaksDtls } from './dtls/handshake.ts';
import { allDtlsSuites } from './dtls/scan-dtls.ts';
import type { Identification } from './identify.ts';
import type { ProbeContext } from './probe-context.ts';
import { udpPortHint } from './ports.ts';
import type { IdentifiedService } from './service.ts';
import type { UdpChannel } from './udp.ts';

export type UdpPortState = 'coap' | 'dtls' | 'closed' | 'silent';

export interface UdpIdentification {
  endpoint: Endpoint;
  state: UdpPortState;
  /** Set when the port answered (coap or dtls). */
  identification?: Identification;
}

/**
 * A CoAP ping: 'coap' when answered, 'closed' on ICMP port unreachable, 'silent' otherwise (also when the
 * channel is closed under it: `opened` hands it to a caller that may stop the wait).
 */
export async function coapPing(
  context: ProbeContext,
  endpoint: Endpoint,
  opened?: (channel: UdpChannel) => void,
): Promise<'coap' | 'closed' | 'silent'> {
  let channel;
  try {
    channel = await context.openUdp(endpoint);
    opened?.(channel);
    return (await new CoapClient(channel, context.limits.readTimeoutMs).ping()) ? 'coap' : 'silent';
  } catch (error) {
    if (!(error instanceof ProbeError) || error.kind === 'aborted') throw error;
    return error.kind === 'refused' ? 'closed' : 'silent';
  } finally {
    channel?.close();
  }
}

export async function identifyUdp(context: ProbeContext, endpoint: Endpoint): Promise<UdpIdentification> {
  // As soon as one language is answered the other attempt is cut short: a port that speaks CoAP will not
  // answer a ClientHello, and waiting the whole deadline for it would only slow the probe.
  const channels: UdpChannel[] = [];
  let settled = false;
  const opened = (channel: UdpChannel) => {
    if (settled) channel.close();
    else channels.push(channel);
  };
  const settle = <T extends string>(answer: T, positive: T): T => {
    if (answer === positive && !settled) {
      settled = true;
      for (const channel of channels) channel.close();
    }
    return answer;
  };
  const [coap, dtls] = await Promise.all([
    coapPing(context, endpoint, opened).then((a) => settle(a, 'coap')),
    speaksDtls(context, endpoint, allDtlsSuites(), opened).then((a) => settle(a, 'dtls')),
  ]);
  const service = (protocol: IdentifiedService['protocol'], tls: boolean): IdentifiedService => ({
    endpoint,
    protocol,
    tls,
    transport: 'udp',
  });
  // Both at once would be a strange device; the port's usual use decides which it is reported as.
  if (coap === 'coap' && (dtls !== 'dtls' || udpPortHint(endpoint.port) !== 'dtls')) {
    return { endpoint, state: 'coap', identification: { service: service('coap', false) } };
  }
  if (dtls === 'dtls') return { endpoint, state: 'dtls', identification: { service: service('unknown', true) } };
  return { endpoint, state: coap === 'closed' || dtls === 'closed' ? 'closed' : 'silent' };
}
