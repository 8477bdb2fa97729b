import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { softwareInventory } from '../../inventory/inventory.ts';
import { MOSQUITTO_CONF, mosquittoConfig, mosquittoMajorVersion, networkListener } from '../mosquitto.ts';

export const mqttAnonymous: FirmwareCheck = {
  id: 'firmware/mqtt-anonymous',
  title: 'MQTT broker accepts anonymous clients from the network',
  provisions: ['5.5-4', '5.5-5'],
  severity: 'high',
  rationale:
    'Clients of an MQTT broker publish commands and read telemetry; an anonymous network client can do the same, including the topics that change the device. Mosquitto 1.x allows anonymous clients unless told otherwise; 2.x does not, and with no listener configured stays on the loopback interface.',
  remediation:
    'Set `allow_anonymous false` with a password_file or client certificates (require_certificate true), or bind the listener to 127.0.0.1.',
  run(context) {
    const config = mosquittoConfig(context);
    if (!config) return [];
    const drafts: FindingDraft[] = [];
    const pkg = softwareInventory(context).components.find((c) => c.name === 'mosquitto' && c.source !== 'string');
    const major = mosquittoMajorVersion(context, pkg?.version);
    // 1.x with no listener listens on 1883 on every interface; 2.x then stays local.
    const networked = config.listeners.length ? config.listeners.some(networkListener) : major === 1;
    if (!networked) return config.listeners.length || major === 2 ? [] : unknown();
    const explicit = config.allowAnonymous.filter((a) => a.value);
    for (const a of explicit)
      drafts.push({
        result: 'fail',
        location: { path: a.path, line: a.line },
        message: 'Mosquitto allows anonymous clients (allow_anonymous true) on a listener reachable from the network',
        evidence: 'allow_anonymous true',
      });
    if (!config.allowAnonymous.length) {
      if (major === 1)
        drafts.push({
          result: 'fail',
          location: { path: MOSQUITTO_CONF },
          message: 'Mosquitto 1.x allows anonymous clients by default and allow_anonymous is not set',
          ...(pkg ? { evidence: `mosquitto ${pkg.version} (${pkg.evidence})` } : {}),
        });
      else if (major === undefined) return unknown();
    }
    if (!drafts.length)
      drafts.push({
        result: 'pass',
        location: { path: MOSQUITTO_CONF },
        message: 'Mosquitto requires clients to authenticate on its network listeners',
      });
    return drafts;

    function unknown(): FindingDraft[] {
      return [
        {
          result: 'info',
          location: { path: MOSQUITTO_CONF },
          message:
            'Mosquitto version not found: 1.x would accept anonymous clients on 1883 on every interface with this configuration, 2.x would not; set allow_anonymous explicitly',
        },
      ];
    }
  },
};
