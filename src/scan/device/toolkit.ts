// The probe's parts, put together: which prober speaks which protocol, how TLS is recognised, the UDP
// side (CoAP and DTLS), and the list of every check the probe can report (for `baseline checks`).
import type { CheckMeta } from '../check.ts';
import { COAP_CHECKS } from './coap/checks.ts';
import { probeCoap } from './coap/probe-coap.ts';
import { PROBE_DISCLOSURE_CHECKS } from './disclosure/probe-checks.ts';
import { POLICY_CHECKS } from './disclosure/policy-checks.ts';
import { probeDisclosure } from './disclosure/probe-disclosure.ts';
import { DTLS_CHECKS } from './dtls/checks.ts';
import { probeDtls } from './dtls/probe-dtls.ts';
import { SECURITY_TXT_CHECKS } from './disclosure/security-txt-checks.ts';
import { FTP_CHECKS } from './ftp/checks.ts';
import { probeFtp } from './ftp/index.ts';
import { HTTP_CHECKS } from './http/checks.ts';
import { identifyUdp } from './identify-udp.ts';
import { probeHttp } from './http/index.ts';
import { bruteForceCheck, defaultCredentialsCheck } from './login.ts';
import { MQTT_CHECKS } from './mqtt/checks.ts';
import { probeMqtt } from './mqtt/probe-mqtt.ts';
import type { ProbeToolkit } from './probe.ts';
import { loginAttemptsCheck, openServicesCheck, riskyPortCheck } from './service-checks.ts';
import { SSH_CHECKS } from './ssh/checks.ts';
import { probeSsh } from './ssh/probe-ssh.ts';
import { RTSP_CHECKS } from './rtsp/checks.ts';
import { probeRtsp } from './rtsp/index.ts';
import { TELNET_CHECKS } from './telnet/checks.ts';
import { probeTelnet } from './telnet/index.ts';
import { TLS_CHECKS } from './tls/checks.ts';
import { probeTls, speaksTls } from './tls/probe-tls.ts';

export function probeToolkit(): ProbeToolkit {
  return {
    detectors: { speaksTls },
    tls: probeTls,
    probers: { ssh: probeSsh, http: probeHttp, mqtt: probeMqtt, telnet: probeTelnet, ftp: probeFtp, rtsp: probeRtsp },
    udp: { identify: identifyUdp, coap: probeCoap, dtls: probeDtls },
    disclosure: probeDisclosure,
  };
}

/** Every check the probe (and `baseline check security-txt`) can report, in the order a report reads. */
export const PROBE_CHECKS: readonly CheckMeta[] = [
  openServicesCheck,
  riskyPortCheck,
  defaultCredentialsCheck,
  bruteForceCheck,
  ...TLS_CHECKS,
  ...DTLS_CHECKS,
  ...SSH_CHECKS,
  ...HTTP_CHECKS,
  ...MQTT_CHECKS,
  ...TELNET_CHECKS,
  ...FTP_CHECKS,
  ...RTSP_CHECKS,
  ...COAP_CHECKS,
  ...SECURITY_TXT_CHECKS,
  ...POLICY_CHECKS,
  ...PROBE_DISCLOSURE_CHECKS,
  loginAttemptsCheck,
];
