# Builds xcrypt.node: a small N-API binding to the system's libxcrypt (crypt_rn from <crypt.h>), used by
# the firmware scanner to verify yescrypt and other hashes that have no TypeScript verifier, and by the
# tests as a reference for the TypeScript ones. Built by scripts/build-xcrypt.sh.
{
  "targets": [
    {
      "target_name": "xcrypt",
      "sources": ["xcrypt.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-O2"],
      "libraries": ["-lcrypt"]
    }
  ]
}
