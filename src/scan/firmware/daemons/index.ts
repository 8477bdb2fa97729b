// The network daemons analyzer: how the image configures the services it exposes (OpenSSH, Dropbear, the
// web servers of admin interfaces, the Mosquitto MQTT broker). Each check is its own module.
import type { FirmwareCheck } from '../firmware-check.ts';
import { mqttAnonymous } from './checks/mqtt-anonymous.ts';
import { mqttPlaintext } from './checks/mqtt-plaintext.ts';
import { sshEmptyPasswords } from './checks/ssh-empty-passwords.ts';
import { sshPasswordAuthentication } from './checks/ssh-password-authentication.ts';
import { sshRootLogin } from './checks/ssh-root-login.ts';
import { sshWeakAlgorithms } from './checks/ssh-weak-algorithms.ts';
import { webPlainHttp } from './checks/web-plain-http.ts';
import { webWeakTls } from './checks/web-weak-tls.ts';

export const daemonChecks: readonly FirmwareCheck[] = [
  sshEmptyPasswords,
  sshRootLogin,
  sshPasswordAuthentication,
  sshWeakAlgorithms,
  webPlainHttp,
  webWeakTls,
  mqttAnonymous,
  mqttPlaintext,
];
