/*
 * xcrypt.node: crypt(phrase, setting) -> string | null, by the system's libxcrypt (crypt_rn).
 *
 * Plain C against node_api.h (N-API is ABI-stable, so one build loads on every Node release with
 * N-API 8). Context-aware (NAPI_MODULE_INIT), so it loads in worker threads too. A phrase or setting
 * that is not a string throws a TypeError; a phrase or setting libxcrypt refuses (unknown prefix,
 * malformed setting, cost out of range, phrase too long) gives null. Like crypt(3), the phrase ends at
 * its first NUL.
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <node_api.h>

#define CHECK(env, call)                                                  \
  do {                                                                    \
    if ((call) != napi_ok) {                                              \
      napi_throw_error((env), NULL, "xcrypt: N-API call failed: " #call); \
      goto done;                                                          \
    }                                                                     \
  } while (0)

/* Copies a JS string argument to a new NUL-terminated UTF-8 buffer; NULL (with a pending exception) if it is not one. */
static char *utf8_argument(napi_env env, napi_value value, const char *name) {
  napi_valuetype type;
  size_t length = 0;
  char *buffer;

  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) {
    char message[64];
    strcpy(message, "xcrypt: ");
    strncat(message, name, 32);
    strcat(message, " must be a string");
    napi_throw_type_error(env, NULL, message);
    return NULL;
  }
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) {
    napi_throw_error(env, NULL, "xcrypt: cannot read string");
    return NULL;
  }
  buffer = malloc(length + 1);
  if (buffer == NULL) {
    napi_throw_error(env, NULL, "xcrypt: out of memory");
    return NULL;
  }
  if (napi_get_value_string_utf8(env, value, buffer, length + 1, &length) != napi_ok) {
    free(buffer);
    napi_throw_error(env, NULL, "xcrypt: cannot read string");
    return NULL;
  }
  return buffer;
}

static napi_value crypt_js(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_value result = NULL;
  char *phrase = NULL;
  char *setting = NULL;
  struct crypt_data *data = NULL;
  const char *hashed;

  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "xcrypt: crypt(phrase, setting) takes two strings");
    goto done;
  }
  phrase = utf8_argument(env, argv[0], "phrase");
  if (phrase == NULL) goto done;
  setting = utf8_argument(env, argv[1], "setting");
  if (setting == NULL) goto done;

  data = calloc(1, sizeof *data);
  if (data == NULL) {
    napi_throw_error(env, NULL, "xcrypt: out of memory");
    goto done;
  }
  errno = 0;
  hashed = crypt_rn(phrase, setting, data, (int)sizeof *data);
  if (hashed == NULL || hashed[0] == '*') {
    CHECK(env, napi_get_null(env, &result));
  } else {
    CHECK(env, napi_create_string_utf8(env, hashed, NAPI_AUTO_LENGTH, &result));
  }

done:
  if (data != NULL) {
    explicit_bzero(data, sizeof *data);
    free(data);
  }
  if (phrase != NULL) {
    explicit_bzero(phrase, strlen(phrase));
    free(phrase);
  }
  free(setting);
  return result;
}

/* Which hashing methods this libxcrypt was built with: crypt_gensalt succeeds for a prefix it supports. */
static napi_value supports_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_value result = NULL;
  char *prefix = NULL;
  char output[CRYPT_GENSALT_OUTPUT_SIZE];

  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "xcrypt: supports(prefix) takes a string");
    goto done;
  }
  prefix = utf8_argument(env, argv[0], "prefix");
  if (prefix == NULL) goto done;
  CHECK(env, napi_get_boolean(env, crypt_gensalt_rn(prefix, 0, NULL, 0, output, (int)sizeof output) != NULL, &result));

done:
  free(prefix);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "crypt", NAPI_AUTO_LENGTH, crypt_js, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "crypt", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "supports", NAPI_AUTO_LENGTH, supports_js, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "supports", fn) != napi_ok) return NULL;
  return exports;
}
