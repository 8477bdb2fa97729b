// The device the probe benchmark examines: real Debian servers on 127.0.0.1, configured the way a
// careless consumer product ships them. One legacy OpenSSH and one Dropbear with a default account,
// a Mosquitto broker open to anyone, an nginx with a legacy TLS setup, one with a modern one, a TLS
// broker that demands client certificates, a plain-HTTP admin page with a default password and a
// security.txt, a busybox telnetd, and a camera stream (GStreamer's RTSP server) behind Digest with a
// default password. Prints the ports as JSON; stops everything on SIGTERM/SIGINT.
import { type Daemon, ensureLoginUser, makeTempDir } from '../../test/helpers/daemon.ts';
import { startMosquitto } from '../../test/helpers/servers/mosquitto.ts';
import { startMosquittoTls } from '../../test/helpers/servers/mosquitto-tls.ts';
import { startNginxTls } from '../../test/helpers/servers/nginx-tls.ts';
import { startGstRtsp } from '../../test/helpers/servers/rtsp.ts';
import { startDropbear, startOpenSsh } from '../../test/helpers/servers/ssh-servers.ts';
import { startTelnetd } from '../../test/helpers/servers/telnetd.ts';
import { startNginx } from '../../test/helpers/servers/web-servers.ts';
import { selfSigned, signedBy } from '../../test/scan/device/tls/certificates.ts';

export interface LabDevice {
  ports: Record<string, number>;
  stop(): Promise<void>;
}

export const SECURITY_TXT = `Contact: mailto:security@example.com
Expires: 2027-06-30T00:00:00Z
Policy: https://example.com/security/policy
# We acknowledge reports within 5 working days and send status updates every 30 days.
`;

export async function startLabDevice(): Promise<LabDevice> {
  ensureLoginUser('support', 'support');
  const dir = makeTempDir('lab-device');
  const daemons: Daemon[] = [];
  const ports: Record<string, number> = {};
  const add = (name: string, daemon: Daemon) => {
    daemons.push(daemon);
    ports[name] = daemon.port;
  };
  try {
    add(
      'ssh-legacy',
      await startOpenSsh({
        hostKeys: [{ type: 'rsa', bits: 1024 }, { type: 'ed25519' }],
        extra: [
          'PasswordAuthentication yes',
          'Ciphers +aes128-cbc,3des-cbc',
          'KexAlgorithms +diffie-hellman-group1-sha1,diffie-hellman-group14-sha1',
          'HostKeyAlgorithms +ssh-rsa',
          'MACs +hmac-sha1',
        ],
      }),
    );
    add('ssh-dropbear', await startDropbear([{ type: 'ed25519' }, { type: 'rsa', bits: 2048 }]));
    add(
      'mqtt',
      await startMosquitto({ allowAnonymous: true, retained: [{ topic: 'home/thermostat/state', payload: '{"setpoint":21.5}' }] }),
    );
    const legacy = selfSigned({ dir: dir.path, name: 'legacy', key: 'rsa:2048', commonName: 'camera.local', days: 365 });
    add('tls-legacy', await startNginxTls({ ...legacy, protocols: 'TLSv1 TLSv1.1 TLSv1.2', ciphers: 'ALL:@SECLEVEL=0' }));
    const modern = selfSigned({
      dir: dir.path,
      name: 'modern',
      key: 'ec:P-256',
      commonName: 'localhost',
      altNames: 'IP:127.0.0.1',
      days: 90,
    });
    add('tls-modern', await startNginxTls({ ...modern, protocols: 'TLSv1.3' }));
    const ca = selfSigned({ dir: dir.path, name: 'ca', key: 'ec:P-256', commonName: 'Lab CA', days: 365 });
    const broker = signedBy(ca, {
      dir: dir.path,
      name: 'broker',
      key: 'ec:P-256',
      commonName: 'broker.local',
      altNames: 'DNS:broker.local',
      days: 365,
    });
    add('mqtts-client-cert', await startMosquittoTls({ caFile: ca.certificate, ...broker, requireCertificate: true }));
    add(
      'http-admin',
      await startNginx({ admin: { username: 'admin', password: 'admin' }, files: { '.well-known/security.txt': SECURITY_TXT } }),
    );
    add('telnet', await startTelnetd({ program: '/bin/login' }));
    add('rtsp-camera', await startGstRtsp({ mount: '/Streaming/Channels/101', auth: 'digest', user: 'admin', password: 'admin' }));
  } catch (error) {
    await Promise.all(daemons.map((d) => d.stop()));
    dir.remove();
    throw error;
  }
  return {
    ports,
    stop: async () => {
      await Promise.all(daemons.map((d) => d.stop()));
      dir.remove();
    },
  };
}

if (import.meta.main) {
  const lab = await startLabDevice();
  process.stdout.write(`${JSON.stringify(lab.ports)}\n`);
  const stop = () => void lab.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  setInterval(() => {}, 1 << 30);
}
