// The network daemons analyzer's checks, on small root filesystems with realistic configs.
import { mqttAnonymous } from '../../../../src/scan/firmware/daemons/checks/mqtt-anonymous.ts';
import { mqttPlaintext } from '../../../../src/scan/firmware/daemons/checks/mqtt-plaintext.ts';
import { sshEmptyPasswords } from '../../../../src/scan/firmware/daemons/checks/ssh-empty-passwords.ts';
import { sshPasswordAuthentication } from '../../../../src/scan/firmware/daemons/checks/ssh-password-authentication.ts';
import { sshRootLogin } from '../../../../src/scan/firmware/daemons/checks/ssh-root-login.ts';
import { sshWeakAlgorithms } from '../../../../src/scan/firmware/daemons/checks/ssh-weak-algorithms.ts';
import { webPlainHttp } from '../../../../src/scan/firmware/daemons/checks/web-plain-http.ts';
import { webWeakTls } from '../../../../src/scan/firmware/daemons/checks/web-weak-tls.ts';
import { firmwareRuleTester } from '../../../helpers/firmware-rule-tester.ts';

// A sha512crypt hash (of a throwaway lab password), so that root "has a password stored in the image".
const HASH = '$6$rounds=5000$lab.salt$0rVpSN0wqmHhvdF5oP8oG2CBGS8G5m0pyh0CXmyQe7cVv9Hrb3uVK0Mmmg7HVHq1Eu8CQ7yEgvQm3ZqfCYCqR1';
const PASSWD = 'root:x:0:0:root:/root:/bin/ash\ndaemon:*:1:1:daemon:/var:/bin/false\n';
const withRootPassword = { 'etc/passwd': PASSWD, 'etc/shadow': `root:${HASH}:19000:0:99999:7:::\ndaemon:*:0:0:99999:7:::\n` };
const rootLocked = { 'etc/passwd': PASSWD, 'etc/shadow': 'root:!:19000:0:99999:7:::\ndaemon:*:0:0:99999:7:::\n' };
const rootBlank = { 'etc/passwd': PASSWD, 'etc/shadow': 'root::19000:0:99999:7:::\n' };

const DEBIAN_SSHD = `# This is the sshd server system-wide configuration file.
Include /etc/ssh/sshd_config.d/*.conf

#PermitRootLogin prohibit-password
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
PrintMotd no
AcceptEnv LANG LC_*
Subsystem\tsftp\t/usr/lib/openssh/sftp-server
`;

const OPENWRT_DROPBEAR = `config dropbear
\toption PasswordAuth 'on'
\toption RootPasswordAuth 'on'
\toption Port         '22'
#\toption BannerFile   '/etc/banner'
`;

firmwareRuleTester(sshRootLogin, {
  valid: [
    {
      name: "Debian's sshd_config (default prohibit-password)",
      tree: { 'etc/ssh/sshd_config': DEBIAN_SSHD },
      result: 'pass',
      message: /the default/,
    },
    {
      name: 'a drop-in wins over a later main-file line, as in sshd',
      tree: {
        'etc/ssh/sshd_config': `${DEBIAN_SSHD}PermitRootLogin yes\n`,
        'etc/ssh/sshd_config.d/10-hardening.conf': 'PermitRootLogin no\n',
      },
      result: 'pass',
      path: '/etc/ssh/sshd_config.d/10-hardening.conf',
    },
    { name: 'dropbear -w', tree: { ...withRootPassword, 'etc/default/dropbear': 'DROPBEAR_EXTRA_ARGS="-w"\n' }, result: 'pass' },
    { name: 'dropbear with root locked', tree: { ...rootLocked, 'etc/config/dropbear': OPENWRT_DROPBEAR }, result: 'none' },
    {
      name: 'OpenWrt RootPasswordAuth off',
      tree: { ...withRootPassword, 'etc/config/dropbear': OPENWRT_DROPBEAR.replace("RootPasswordAuth 'on'", "RootPasswordAuth 'off'") },
      result: 'pass',
      message: /-g/,
    },
  ],
  invalid: [
    {
      name: 'PermitRootLogin yes in a drop-in',
      tree: { 'etc/ssh/sshd_config': DEBIAN_SSHD, 'etc/ssh/sshd_config.d/50-vendor.conf': '# vendor\nPermitRootLogin=yes\n' },
      message: /PermitRootLogin yes/,
      path: '/etc/ssh/sshd_config.d/50-vendor.conf',
    },
    {
      name: 'PermitRootLogin yes inside a Match block',
      tree: { 'etc/ssh/sshd_config': 'PermitRootLogin no\nMatch Address 192.168.1.0/24\n  PermitRootLogin yes\n' },
      message: /matching "Address 192\.168\.1\.0\/24"/,
    },
    {
      name: "OpenWrt's default dropbear with a root password",
      tree: { ...withRootPassword, 'etc/config/dropbear': OPENWRT_DROPBEAR },
      message: /dropbear accepts root password logins/,
      path: '/etc/config/dropbear',
    },
  ],
});

firmwareRuleTester(sshEmptyPasswords, {
  valid: [
    { name: 'default sshd', tree: { ...rootBlank, 'etc/ssh/sshd_config': DEBIAN_SSHD }, result: 'none' },
    { name: 'dropbear without -B', tree: { 'etc/default/dropbear': 'DROPBEAR_EXTRA_ARGS="-s -g"\n' }, result: 'none' },
  ],
  invalid: [
    {
      name: 'PermitEmptyPasswords yes',
      tree: { ...rootBlank, 'etc/ssh/sshd_config': 'PermitEmptyPasswords yes\n' },
      message: /accounts with no password: root/,
    },
    {
      name: 'dropbear -B in an init script',
      tree: { 'etc/init.d/S50dropbear': '#!/bin/sh\nstart() {\n\t/usr/sbin/dropbear -R -B -p 22\n}\n' },
      message: /-B/,
      path: '/etc/init.d/S50dropbear',
    },
    {
      name: 'dropbear -B in a systemd unit',
      tree: { 'lib/systemd/system/dropbear.service': '[Service]\nExecStart=-/usr/sbin/dropbear -F -EB\n' },
      message: /-B/,
    },
  ],
});

firmwareRuleTester(sshPasswordAuthentication, {
  valid: [
    {
      name: 'password authentication off',
      tree: { ...withRootPassword, 'etc/ssh/sshd_config': 'PasswordAuthentication no\n' },
      result: 'none',
    },
    { name: 'default on but no stored password', tree: { ...rootLocked, 'etc/ssh/sshd_config': DEBIAN_SSHD }, result: 'none' },
    { name: 'dropbear -s', tree: { ...withRootPassword, 'etc/default/dropbear': "DROPBEAR_EXTRA_ARGS='-s'\n" }, result: 'none' },
  ],
  invalid: [
    {
      name: 'sshd default with a root password',
      tree: { ...withRootPassword, 'etc/ssh/sshd_config': DEBIAN_SSHD },
      message: /unset, default yes\) and root has a password/,
    },
    {
      name: 'dropbear default',
      tree: { ...withRootPassword, 'usr/sbin/dropbear': '\x7fELF' },
      message: /dropbear accepts passwords/,
      path: '/usr/sbin/dropbear',
    },
  ],
});

firmwareRuleTester(sshWeakAlgorithms, {
  valid: [
    {
      name: 'modern lists',
      tree: {
        'etc/ssh/sshd_config':
          'Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com\nMACs hmac-sha2-512-etm@openssh.com\nKexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256\n',
      },
      result: 'none',
    },
    { name: 'removing weak ones from the defaults', tree: { 'etc/ssh/sshd_config': 'Ciphers -aes128-cbc,3des-cbc\n' }, result: 'none' },
  ],
  invalid: [
    { name: 'CBC ciphers', tree: { 'etc/ssh/sshd_config': 'Ciphers aes128-ctr,aes256-cbc\n' }, message: /offers aes256-cbc/ },
    { name: 'arcfour appended', tree: { 'etc/ssh/sshd_config': 'Ciphers +arcfour256\n' }, message: /arcfour256: RC4/ },
    { name: 'hmac-md5', tree: { 'etc/ssh/sshd_config': 'MACs hmac-sha2-256,hmac-md5-96\n' }, message: /hmac-md5-96/ },
    {
      name: 'group1 kex',
      tree: { 'etc/ssh/sshd_config': 'KexAlgorithms diffie-hellman-group1-sha1,curve25519-sha256\n' },
      message: /diffie-hellman-group1-sha1/,
    },
    { name: 'group14-sha1 kex', tree: { 'etc/ssh/sshd_config': 'KexAlgorithms=diffie-hellman-group14-sha1\n' }, message: /RFC 9142/ },
    { name: 'ssh-rsa host key algorithm', tree: { 'etc/ssh/sshd_config': 'HostKeyAlgorithms +ssh-rsa\n' }, message: /offers ssh-rsa/ },
    { name: 'ssh-dss', tree: { 'etc/ssh/sshd_config': 'PubkeyAcceptedAlgorithms ssh-ed25519,ssh-dss\n' }, message: /ssh-dss/ },
  ],
});

const NGINX_REDIRECT = `server {
    listen 80 default_server;
    listen [::]:80 default_server;
    server_name _;
    return 301 https://$host$request_uri;
}
server {
    listen 443 ssl;
    ssl_certificate /etc/ssl/device.pem;
    ssl_certificate_key /etc/ssl/device.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { proxy_pass http://127.0.0.1:8080; }
}
`;

const LIGHTTPD_PLAIN = `server.modules = ( "mod_access", "mod_cgi" )
server.document-root = "/www"
server.port = 80
index-file.names = ( "index.html" )
`;

const LIGHTTPD_TLS = `server.modules = ( "mod_openssl", "mod_redirect" )
server.document-root = "/www"
server.port = 80
$SERVER["socket"] == ":443" {
    ssl.engine = "enable"
    ssl.pemfile = "/etc/lighttpd/server.pem"
}
$HTTP["scheme"] == "http" {
    url.redirect = ("" => "https://\${url.authority}\${url.path}\${qsa}")
}
`;

const UHTTPD = (extra: string) => `config uhttpd 'main'
\tlist listen_http '0.0.0.0:80'
\tlist listen_http '[::]:80'
${extra}\toption home '/www'
\toption cert '/etc/uhttpd.crt'
\toption key '/etc/uhttpd.key'
`;

firmwareRuleTester(webPlainHttp, {
  valid: [
    { name: 'nginx: port 80 only redirects', tree: { 'etc/nginx/conf.d/device.conf': NGINX_REDIRECT }, result: 'none' },
    {
      name: 'nginx: plain listener on loopback',
      tree: { 'etc/nginx/nginx.conf': 'http { server { listen 127.0.0.1:8080; root /www; } }\n' },
      result: 'none',
    },
    { name: 'lighttpd with TLS socket and redirect', tree: { 'etc/lighttpd/lighttpd.conf': LIGHTTPD_TLS }, result: 'none' },
    {
      name: 'uhttpd redirecting to HTTPS',
      tree: { 'etc/config/uhttpd': UHTTPD("\tlist listen_https '0.0.0.0:443'\n\toption redirect_https '1'\n") },
      result: 'none',
    },
  ],
  invalid: [
    {
      name: 'nginx site on port 80',
      tree: {
        'etc/nginx/sites-enabled/default': { symlink: '../sites-available/default' },
        'etc/nginx/sites-available/default':
          'server {\n  listen 80;\n  root /var/www/html;\n  location / { try_files $uri $uri/ =404; }\n}\n',
      },
      message: /plain HTTP on 80/,
      path: '/etc/nginx/sites-available/default',
    },
    {
      name: 'nginx server with no listen (defaults to 80)',
      tree: { 'etc/nginx/nginx.conf': 'events {}\nhttp {\n  server {\n    root /www;\n  }\n}\n' },
      message: /\*:80/,
    },
    {
      name: 'lighttpd on port 80 without TLS',
      tree: { 'etc/lighttpd/lighttpd.conf': LIGHTTPD_PLAIN },
      message: /lighttpd serves plain HTTP/,
      path: '/etc/lighttpd/lighttpd.conf',
    },
    {
      name: 'lighttpd with no server.port at all',
      tree: { 'etc/lighttpd/lighttpd.conf': 'server.document-root = "/www"\n' },
      message: /:80/,
    },
    { name: 'uhttpd without listen_https', tree: { 'etc/config/uhttpd': UHTTPD('') }, message: /there is no listen_https/ },
    {
      name: "uhttpd with HTTPS but redirect_https '0'",
      tree: { 'etc/config/uhttpd': UHTTPD("\tlist listen_https '0.0.0.0:443'\n\toption redirect_https '0'\n") },
      message: /redirect_https is 0/,
    },
  ],
});

firmwareRuleTester(webWeakTls, {
  valid: [{ name: 'TLS 1.2 and 1.3 only', tree: { 'etc/nginx/conf.d/device.conf': NGINX_REDIRECT }, result: 'none' }],
  invalid: [
    {
      name: 'nginx TLSv1 and TLSv1.1',
      tree: { 'etc/nginx/nginx.conf': 'http {\n  ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n}\n' },
      message: /allows TLSv1, TLSv1\.1/,
    },
    {
      name: 'nginx RC4 and 3DES ciphers',
      tree: { 'etc/nginx/nginx.conf': 'http { ssl_ciphers "ECDHE-RSA-AES128-GCM-SHA256:RC4-SHA:DES-CBC3-SHA:!aNULL"; }\n' },
      message: /RC4-SHA, DES-CBC3-SHA/,
    },
    { name: 'lighttpd SSLv3', tree: { 'etc/lighttpd/lighttpd.conf': `${LIGHTTPD_TLS}ssl.use-sslv3 = "enable"\n` }, message: /SSL 3\.0/ },
    {
      name: 'lighttpd MinProtocol TLSv1',
      tree: {
        'etc/lighttpd/conf.d/ssl.conf': 'ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1")\n',
        'etc/lighttpd/lighttpd.conf': LIGHTTPD_TLS,
      },
      message: /MinProtocol TLSv1/,
      path: '/etc/lighttpd/conf.d/ssl.conf',
    },
  ],
});

const MOSQUITTO_1X_BINARY = '\x7fELF mosquitto version %s starting\0';
const MOSQUITTO_2X_BINARY =
  '\x7fELF mosquitto version %s starting\0Starting in local only mode. Connections will only be possible from clients running on this machine.\0';

firmwareRuleTester(mqttAnonymous, {
  valid: [
    {
      name: '2.x with no listener stays local',
      tree: { 'etc/mosquitto/mosquitto.conf': 'persistence true\n', 'usr/sbin/mosquitto': MOSQUITTO_2X_BINARY },
      result: 'none',
    },
    {
      name: '2.x listener defaults to authenticated',
      tree: {
        'etc/mosquitto/mosquitto.conf': 'listener 1883\npassword_file /etc/mosquitto/passwd\n',
        'usr/sbin/mosquitto': MOSQUITTO_2X_BINARY,
      },
      result: 'pass',
    },
    {
      name: 'anonymous only on loopback',
      tree: { 'etc/mosquitto/mosquitto.conf': 'listener 1883 127.0.0.1\nallow_anonymous true\n' },
      result: 'none',
    },
    {
      name: 'version unknown, no listener',
      tree: { 'etc/mosquitto/mosquitto.conf': 'persistence true\n' },
      result: 'info',
      message: /version not found/,
    },
  ],
  invalid: [
    {
      name: 'allow_anonymous true in an include_dir file',
      tree: {
        'etc/mosquitto/mosquitto.conf': 'include_dir /etc/mosquitto/conf.d\n',
        'etc/mosquitto/conf.d/local.conf': 'listener 1883\nallow_anonymous true\n',
      },
      message: /allow_anonymous true/,
      path: '/etc/mosquitto/conf.d/local.conf',
    },
    {
      name: '1.x defaults (from the binary)',
      tree: { 'etc/mosquitto/mosquitto.conf': 'pid_file /var/run/mosquitto.pid\n', 'usr/sbin/mosquitto': MOSQUITTO_1X_BINARY },
      message: /1\.x allows anonymous clients by default/,
    },
    {
      name: '1.x defaults (from the opkg database)',
      tree: {
        'etc/mosquitto/mosquitto.conf': 'listener 1883\n',
        'usr/lib/opkg/status':
          'Package: mosquitto-ssl\nVersion: 1.6.15-1\nStatus: install user installed\n\nPackage: mosquitto\nVersion: 1.6.15-1\nStatus: install user installed\nArchitecture: mips_24kc\n',
      },
      message: /1\.x allows anonymous/,
    },
  ],
});

firmwareRuleTester(mqttPlaintext, {
  valid: [
    {
      name: 'TLS listener',
      tree: {
        'etc/mosquitto/mosquitto.conf':
          'listener 8883\ncertfile /etc/mosquitto/certs/server.crt\nkeyfile /etc/mosquitto/certs/server.key\n',
      },
      result: 'none',
    },
    { name: 'plain listener on loopback only', tree: { 'etc/mosquitto/mosquitto.conf': 'listener 1883 localhost\n' }, result: 'none' },
    {
      name: 'client certificates required',
      tree: {
        'etc/mosquitto/mosquitto.conf':
          'listener 8883\ncafile /etc/mosquitto/ca.crt\ncertfile /etc/mosquitto/server.crt\nrequire_certificate true\n',
      },
      result: 'info',
      message: /requires client certificates/,
    },
  ],
  invalid: [
    {
      name: 'plain listener on every interface',
      tree: { 'etc/mosquitto/mosquitto.conf': 'listener 8883\ncertfile /etc/c.crt\n\nlistener 1883\n' },
      message: /port 1883 carries MQTT without TLS/,
    },
    {
      name: 'websockets without TLS',
      tree: { 'etc/mosquitto/mosquitto.conf': 'listener 9001\nprotocol websockets\n' },
      message: /MQTT over WebSockets/,
    },
    {
      name: '1.x implicit default listener',
      tree: { 'etc/mosquitto/mosquitto.conf': '# empty\n', 'usr/sbin/mosquitto': MOSQUITTO_1X_BINARY },
      message: /port 1883 on every interface/,
    },
  ],
});
