// What the SSH probe saw on one endpoint, as plain data: the checks read only this.
import type { Endpoint } from '../connection.ts';
import type { BruteForceMeasurement, DefaultCredentialTrial } from '../login.ts';
import type { SshAuthMethods } from './auth.ts';
import type { SshHostKey } from './host-key.ts';
import type { SshIdentification } from './identification.ts';
import type { GroupExchangeRequest } from './key-exchange.ts';
import type { KexInit } from './kexinit.ts';

export interface SshGroupExchange {
  algorithm: string;
  /** What was asked when the group was measured: at first a 1024-bit minimum, so that a weak group shows. */
  request: GroupExchangeRequest;
  /** A server that refuses the 1024-bit request is asked again as a current client asks; why it refused. */
  smallRequestRefused?: string;
  groupBits?: number;
  /** Why the group could not be measured. */
  error?: string;
}

export interface SshObservation {
  endpoint: Endpoint;
  identification?: SshIdentification;
  /** Lines sent before the identification (banners, notices). */
  preIdentificationLines: string[];
  kexinit?: KexInit;
  /** One per host key type fetched. */
  hostKeys: SshHostKey[];
  /** Present when the server offers Diffie-Hellman group exchange. */
  groupExchange?: SshGroupExchange;
  /** Present when ssh2 could ask for the authentication methods. */
  auth?: SshAuthMethods;
  /** Present when password logins were tried. */
  defaultCredentials?: DefaultCredentialTrial;
  bruteForce?: BruteForceMeasurement;
  incomplete: { part: string; reason: string }[];
}
