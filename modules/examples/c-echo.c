/*
 * A WASI command in C: echoes the request's method, path, query and headers as JSON.
 *
 * The runtime runs it once per request, CGI style: the request body on stdin, the response on stdout (a header
 * block with Status and Content-Type, a blank line, then the body), request details in the environment
 * (REQUEST_METHOD, PATH_INFO, QUERY_STRING, CONTENT_TYPE, CONTENT_LENGTH, HTTP_*), stderr in the function's logs.
 *
 * Build: clang-14 --target=wasm32-wasi --sysroot=/usr -O2 -Wl,-z,stack-size=65536 -o c-echo.wasm c-echo.c
 * (scripts/build-modules.mjs does this). Deploy with the `wasi` profile (c-echo.manifest.json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

/* Appends `text` to the growing buffer as a JSON string (quotes, backslashes and control characters escaped). */
static void json_string(char **buf, size_t *len, size_t *cap, const char *text) {
    size_t need = *len + strlen(text) * 6 + 3;
    if (need > *cap) {
        *cap = need * 2;
        *buf = realloc(*buf, *cap);
        if (*buf == NULL) { fputs("out of memory\n", stderr); exit(1); }
    }
    char *out = *buf + *len;
    *out++ = '"';
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\') { *out++ = '\\'; *out++ = (char)*p; }
        else if (*p < 0x20) out += sprintf(out, "\\u%04x", *p);
        else *out++ = (char)*p;
    }
    *out++ = '"';
    *len = (size_t)(out - *buf);
}

static void append(char **buf, size_t *len, size_t *cap, const char *text) {
    size_t n = strlen(text);
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = realloc(*buf, *cap);
        if (*buf == NULL) { fputs("out of memory\n", stderr); exit(1); }
    }
    memcpy(*buf + *len, text, n);
    *len += n;
}

static const char *env_or(const char *name, const char *fallback) {
    const char *value = getenv(name);
    return value ? value : fallback;
}

int main(void) {
    /* The body, whole, from stdin (CONTENT_LENGTH says how much to expect). */
    size_t body_cap = (size_t)atol(env_or("CONTENT_LENGTH", "0")) + 1, body_len = 0;
    char *body = malloc(body_cap);
    if (body == NULL) { fputs("out of memory\n", stderr); return 1; }
    size_t n;
    while ((n = fread(body + body_len, 1, body_cap - body_len - 1, stdin)) > 0) {
        body_len += n;
        if (body_len + 1 == body_cap) {
            body_cap *= 2;
            body = realloc(body, body_cap);
            if (body == NULL) { fputs("out of memory\n", stderr); return 1; }
        }
    }
    body[body_len] = '\0';

    size_t len = 0, cap = 256;
    char *json = malloc(cap);
    if (json == NULL) return 1;
    append(&json, &len, &cap, "{\"method\":");
    json_string(&json, &len, &cap, env_or("REQUEST_METHOD", ""));
    append(&json, &len, &cap, ",\"path\":");
    json_string(&json, &len, &cap, env_or("PATH_INFO", "/"));
    append(&json, &len, &cap, ",\"query\":");
    json_string(&json, &len, &cap, env_or("QUERY_STRING", ""));
    append(&json, &len, &cap, ",\"headers\":{");
    /* Every HTTP_* variable is a request header: HTTP_X_REQUEST_ID -> "x-request-id". */
    int first = 1;
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "HTTP_", 5) != 0) continue;
        const char *eq = strchr(*e, '=');
        if (eq == NULL) continue;
        char name[256];
        size_t k = 0;
        for (const char *p = *e + 5; p < eq && k < sizeof name - 1; p++) name[k++] = *p == '_' ? '-' : (char)(*p | 0x20);
        name[k] = '\0';
        if (!first) append(&json, &len, &cap, ",");
        first = 0;
        json_string(&json, &len, &cap, name);
        append(&json, &len, &cap, ":");
        json_string(&json, &len, &cap, eq + 1);
    }
    append(&json, &len, &cap, "},\"contentType\":");
    json_string(&json, &len, &cap, env_or("CONTENT_TYPE", ""));
    append(&json, &len, &cap, ",\"body\":");
    json_string(&json, &len, &cap, body);
    append(&json, &len, &cap, "}\n");

    fprintf(stderr, "c-echo: %s %s (%zu body bytes)\n", env_or("REQUEST_METHOD", "?"), env_or("PATH_INFO", "/"), body_len);
    /* The CGI header block: a status, the content type, one more header, then a blank line. */
    const char *method = env_or("REQUEST_METHOD", "");
    printf("Status: %d\r\n", strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ? 201 : 200);
    printf("Content-Type: application/json\r\n");
    printf("X-Powered-By: wasi-libc\r\n\r\n");
    fwrite(json, 1, len, stdout);
    free(json);
    free(body);
    return 0;
}
