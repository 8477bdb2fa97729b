// Every network operation of the probe is bounded: these are the bounds, with defaults that keep a probe
// of one device gentle (few connections at a time, few logins) and short (seconds per service).
export interface ProbeLimits {
  /** Milliseconds to open a TCP connection. */
  connectTimeoutMs: number;
  /** Milliseconds to wait for each expected reply (a banner, a handshake message, a login prompt). */
  readTimeoutMs: number;
  /** Most bytes read from one connection in all: a device sending endless data is cut off here. */
  maxBytesPerConnection: number;
  /** Most connections open to the targets at once. */
  concurrency: number;
  /** Most new connections opened per second to one host. */
  connectionsPerSecond: number;
  /** Most default-credential logins tried per service (each counted, whatever the protocol). */
  maxLoginAttempts: number;
  /** Deliberate failures made per service to measure brute-force protection. */
  bruteForceAttempts: number;
  /** Milliseconds an MQTT subscription to # and $SYS is held to see what leaks. */
  mqttListenMs: number;
}

export const DEFAULT_PROBE_LIMITS: ProbeLimits = {
  connectTimeoutMs: 3000,
  readTimeoutMs: 5000,
  maxBytesPerConnection: 1024 * 1024,
  concurrency: 8,
  connectionsPerSecond: 50,
  maxLoginAttempts: 20,
  bruteForceAttempts: 12,
  mqttListenMs: 2000,
};
