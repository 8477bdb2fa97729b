// A real RTSP server on 127.0.0.1 for the RTSP probe tests: GStreamer's gst-rtsp-server (Debian's
// gir1.2-gst-rtsp-server-1.0) driven by rtsp-server.py, serving a Motion JPEG test pattern at one mount
// path, open to anyone or behind RTSP Basic or Digest authentication for one user.
import { fileURLToPath } from 'node:url';
import { type Daemon, startDaemon } from '../daemon.ts';

const SCRIPT = fileURLToPath(new URL('./rtsp-server.py', import.meta.url));

export interface GstRtspOptions {
  /** The mount path of the stream (default /stream1). */
  mount?: string;
  auth?: 'none' | 'basic' | 'digest';
  user?: string;
  password?: string;
}

export function startGstRtsp(options: GstRtspOptions = {}): Promise<Daemon> {
  return startDaemon({
    // Debian's python3, whatever python3 comes first on PATH: the GObject bindings are Debian's.
    command: '/usr/bin/python3',
    args: (port) => [
      SCRIPT,
      '--port',
      String(port),
      '--mount',
      options.mount ?? '/stream1',
      '--auth',
      options.auth ?? 'none',
      '--user',
      options.user ?? 'admin',
      '--password',
      options.password ?? 'admin',
    ],
    readyTimeoutMs: 15_000,
  });
}
