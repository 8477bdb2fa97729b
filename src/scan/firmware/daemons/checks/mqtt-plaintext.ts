import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { softwareInventory } from '../../inventory/inventory.ts';
import { MOSQUITTO_CONF, mosquittoConfig, mosquittoMajorVersion, networkListener } from '../mosquitto.ts';

export const mqttPlaintext: FirmwareCheck = {
  id: 'firmware/mqtt-plaintext',
  title: 'MQTT listener without TLS on the network',
  provisions: ['5.5-1'],
  severity: 'medium',
  rationale:
    'A listener without certfile (or psk_hint) carries MQTT in clear text: credentials in CONNECT packets, telemetry and commands can be read and altered on the network path.',
  remediation: 'Give every network listener `certfile`/`keyfile` (port 8883), or bind plain listeners to 127.0.0.1.',
  run(context) {
    const config = mosquittoConfig(context);
    if (!config) return [];
    const drafts: FindingDraft[] = [];
    if (!config.listeners.length) {
      const pkg = softwareInventory(context).components.find((c) => c.name === 'mosquitto' && c.source !== 'string');
      if (mosquittoMajorVersion(context, pkg?.version) === 1)
        drafts.push({
          result: 'fail',
          location: { path: MOSQUITTO_CONF },
          message: 'Mosquitto 1.x with no listener configured listens for plain MQTT on port 1883 on every interface',
        });
      return drafts;
    }
    for (const l of config.listeners) {
      const where = l.line === undefined ? { path: l.path } : { path: l.path, line: l.line };
      if (l.requireCertificate)
        drafts.push({
          result: 'info',
          severity: 'info',
          location: { path: l.requireCertificate.path, line: l.requireCertificate.line },
          message: `Mosquitto listener ${l.port ?? ''} requires client certificates (require_certificate true)`,
        });
      if (l.tls || !networkListener(l)) continue;
      drafts.push({
        result: 'fail',
        location: where,
        message: `Mosquitto listener on port ${l.port ?? '?'}${l.address ? ` (${l.address})` : ''} carries ${l.protocol === 'websockets' ? 'MQTT over WebSockets' : 'MQTT'} without TLS`,
        evidence: `listener ${l.port ?? ''}${l.address ? ` ${l.address}` : ''}`,
      });
    }
    return drafts;
  },
};
