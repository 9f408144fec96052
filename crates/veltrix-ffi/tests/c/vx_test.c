/* The C ABI from C: every function, every error code, and a corpus routed
 * through the library in the three formats, checked event by event against
 * `veltrix route --explain` (outcome, partition, handlers) and, for the
 * summary, against `veltrix route`.
 *
 * Usage: vx_test ROUTES.yaml ALL.jsonl CORPUS.yaml CORPUS.pb EXPLAIN.jsonl SUMMARY.json
 *   ALL.jsonl      the corpus as JSON lines, then a few bad lines
 *   CORPUS.yaml    the same corpus (without the bad lines) as YAML documents
 *   CORPUS.pb      the same corpus as length-delimited protobuf
 *   EXPLAIN.jsonl  `veltrix route --explain --keep-going` over ALL.jsonl
 *   SUMMARY.json   `veltrix route` over the corpus alone
 * The library must be built with the `panic-probe` feature (VX_ERR_PANIC).
 * .ci/ffi.sh prepares the files, builds and runs this program. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "veltrix.h"

static int failures = 0;

#define CHECK(cond, ...)                                                  \
  do {                                                                    \
    if (!(cond)) {                                                        \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                       \
      fprintf(stderr, "\n");                                              \
      if (++failures > 20) exit(1);                                       \
    }                                                                     \
  } while (0)

#define CHECK_CODE(got, want) \
  CHECK((got) == (want), "got %d, want %d (%s); last error: %s", (int)(got), (int)(want), #want, last_error())

/* ---- small helpers ------------------------------------------------------ */

typedef struct {
  uint8_t *data;
  size_t len;
} buf;

static buf read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(2);
  }
  buf b = {NULL, 0};
  size_t cap = 0;
  for (;;) {
    if (b.len + 65536 > cap) {
      cap = cap * 2 + 65536;
      b.data = realloc(b.data, cap + 1);
      if (!b.data) exit(2);
    }
    size_t n = fread(b.data + b.len, 1, cap - b.len, f);
    if (n == 0) break;
    b.len += n;
  }
  fclose(f);
  b.data[b.len] = 0;
  return b;
}

/* This thread's last error as a NUL-terminated string (static storage). */
static const char *last_error(void) {
  static char text[4096];
  size_t n = vx_last_error((uint8_t *)text, sizeof text - 1);
  if (n > sizeof text - 1) n = sizeof text - 1;
  text[n] = 0;
  return text;
}

typedef struct {
  vx_bytes *items;
  size_t n;
} frames;

static void push(frames *f, const uint8_t *ptr, size_t len) {
  f->items = realloc(f->items, (f->n + 1) * sizeof *f->items);
  if (!f->items) exit(2);
  f->items[f->n].ptr = ptr;
  f->items[f->n].len = len;
  f->n++;
}

/* JSON lines: one frame per non-empty line (without its newline). */
static frames split_lines(buf b) {
  frames f = {NULL, 0};
  size_t start = 0;
  for (size_t i = 0; i <= b.len; i++) {
    if (i == b.len || b.data[i] == '\n') {
      if (i > start) push(&f, b.data + start, i - start);
      start = i + 1;
    }
  }
  return f;
}

/* YAML as `veltrix gen` writes it: each document starts with a `---` line
 * (quoted scalars stay on one line, so no scalar starts a line with it). */
static frames split_yaml(buf b) {
  frames f = {NULL, 0};
  size_t start = SIZE_MAX;
  for (size_t i = 0; i < b.len; i++) {
    int line_start = i == 0 || b.data[i - 1] == '\n';
    if (line_start && b.len - i >= 4 && memcmp(b.data + i, "---\n", 4) == 0) {
      if (start != SIZE_MAX) push(&f, b.data + start, i - start);
      start = i;
    }
  }
  if (start != SIZE_MAX) push(&f, b.data + start, b.len - start);
  return f;
}

/* Length-delimited protobuf: a varint length, then the message. */
static frames split_protobuf(buf b) {
  frames f = {NULL, 0};
  size_t i = 0;
  while (i < b.len) {
    uint64_t len = 0;
    int shift = 0;
    while (i < b.len) {
      uint8_t byte = b.data[i++];
      len |= (uint64_t)(byte & 0x7f) << shift;
      shift += 7;
      if (!(byte & 0x80)) break;
    }
    if (len > b.len - i) {
      fprintf(stderr, "truncated protobuf frame at byte %zu\n", i);
      exit(2);
    }
    push(&f, b.data + i, (size_t)len);
    i += (size_t)len;
  }
  return f;
}

/* ---- the CLI's --explain lines ------------------------------------------ */

typedef struct {
  int32_t outcome;    /* what the library must answer */
  int64_t partition;  /* -1: null */
  uint64_t handlers;  /* bits by handler id */
} expected;

static char names[64][128];
static uint32_t handler_count = 0;

static int handler_id(const char *name, size_t len) {
  for (uint32_t i = 0; i < handler_count; i++) {
    if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) return (int)i;
  }
  return -1;
}

/* {"index":N,"routes":[...],"handlers":["a","b"],"partition":P|null,"outcome":"routed"} */
static expected parse_explain(const char *line, size_t len) {
  char text[4096];
  if (len >= sizeof text) len = sizeof text - 1;
  memcpy(text, line, len);
  text[len] = 0;
  expected e = {-1, -1, 0};
  const char *h = strstr(text, "\"handlers\":[");
  const char *p = strstr(text, "\"partition\":");
  const char *o = strstr(text, "\"outcome\":\"");
  if (!h || !p || !o) {
    fprintf(stderr, "unexpected explain line: %s\n", text);
    exit(2);
  }
  for (h += strlen("\"handlers\":["); *h == '"';) {
    const char *end = strchr(h + 1, '"');
    int id = handler_id(h + 1, (size_t)(end - h - 1));
    CHECK(id >= 0, "unknown handler in %s", text);
    if (id >= 0) e.handlers |= (uint64_t)1 << id;
    h = end + 1;
    if (*h == ',') h++;
  }
  p += strlen("\"partition\":");
  e.partition = strncmp(p, "null", 4) == 0 ? -1 : strtoll(p, NULL, 10);
  o += strlen("\"outcome\":\"");
  if (strncmp(o, "routed\"", 7) == 0) {
    e.outcome = VX_ROUTED;
  } else if (strncmp(o, "dropped\"", 8) == 0) {
    e.outcome = VX_DROPPED;
  } else if (strncmp(o, "rejected\"", 9) == 0) {
    e.outcome = VX_REJECTED;
  } else if (strncmp(o, "dead_letter\"", 12) == 0) {
    /* An event that did not decode has no partition. SPEC section 4 makes it
     * rejected; a CLI that still calls it a dead letter says so by the null. */
    e.outcome = e.partition < 0 ? VX_REJECTED : VX_DEAD_LETTER;
  }
  CHECK(e.outcome >= 0, "unknown outcome in %s", text);
  return e;
}

/* Routes `f` in batches of `batch` and compares with `want[0..f.n]`. */
static void route_and_compare(vx_router *router, int32_t format, frames f, const expected *want,
                              size_t batch, const char *what) {
  vx_result *results = calloc(batch, sizeof *results);
  size_t mismatches = 0;
  for (size_t start = 0; start < f.n; start += batch) {
    size_t n = f.n - start < batch ? f.n - start : batch;
    CHECK_CODE(vx_route(router, format, f.items + start, n, results), VX_OK);
    for (size_t i = 0; i < n; i++) {
      const vx_result *r = &results[i];
      const expected *e = &want[start + i];
      int ok = r->outcome == e->outcome && r->handlers == e->handlers;
      if (e->outcome == VX_REJECTED) {
        ok = ok && r->kind == 0;
      } else {
        ok = ok && r->kind >= 1 && r->kind <= 9 && (int64_t)r->partition == e->partition;
      }
      if (!ok && mismatches++ < 5) {
        CHECK(0, "%s: event %zu: got outcome %d partition %u handlers %llx kind %u, "
                 "want outcome %d partition %lld handlers %llx",
              what, start + i, r->outcome, r->partition, (unsigned long long)r->handlers, r->kind,
              e->outcome, (long long)e->partition, (unsigned long long)e->handlers);
      }
    }
  }
  CHECK(mismatches == 0, "%s: %zu events differ from `veltrix route --explain`", what, mismatches);
  printf("%s: %zu events agree with `veltrix route --explain`\n", what, f.n);
  free(results);
}

/* Reads an output through the size query, a too-small buffer and an exact
 * one; returns a NUL-terminated copy (caller frees). */
typedef int32_t (*output_fn)(void *ctx, uint8_t *out, size_t cap, size_t *written);

static char *read_output(output_fn call, void *ctx, int32_t *code) {
  size_t needed = 0;
  *code = call(ctx, NULL, 0, &needed);
  if (*code != VX_ERR_BUFFER) return NULL;
  CHECK(needed > 0, "size query gave 0");
  char *small = calloc(needed, 1);
  size_t written = 0;
  CHECK_CODE(call(ctx, (uint8_t *)small, needed - 1, &written), VX_ERR_BUFFER);
  CHECK(written == needed, "written %zu after VX_ERR_BUFFER, want %zu", written, needed);
  free(small);
  char *out = calloc(needed + 1, 1);
  *code = call(ctx, (uint8_t *)out, needed, &written);
  CHECK(written == needed, "written %zu, want %zu", written, needed);
  return out;
}

typedef struct {
  vx_router *router;
  uint32_t index;
} name_ctx;

static int32_t call_handler_name(void *ctx, uint8_t *out, size_t cap, size_t *written) {
  name_ctx *c = ctx;
  return vx_handler_name(c->router, c->index, out, cap, written);
}

static int32_t call_stats(void *ctx, uint8_t *out, size_t cap, size_t *written) {
  return vx_stats_json((const vx_router *)ctx, out, cap, written);
}

typedef struct {
  int32_t from, to;
  vx_bytes in;
} convert_ctx;

static int32_t call_convert(void *ctx, uint8_t *out, size_t cap, size_t *written) {
  convert_ctx *c = ctx;
  return vx_convert(c->from, c->to, c->in.ptr, c->in.len, out, cap, written);
}

static vx_router *new_router(buf table) {
  vx_router *router = NULL;
  CHECK_CODE(vx_router_new(table.data, table.len, &router), VX_OK);
  if (!router) exit(1);
  return router;
}

/* ---- the checks --------------------------------------------------------- */

static void check_router_new_errors(void) {
  vx_router *router = (vx_router *)&failures; /* must be reset to NULL */
  const char *table = "key: match_id\npartitions: 0\nroutes: []\n";
  CHECK_CODE(vx_router_new((const uint8_t *)table, strlen(table), &router), VX_ERR_CONFIG);
  CHECK(router == NULL, "*out not NULL after VX_ERR_CONFIG");
  CHECK(strstr(last_error(), "partitions") != NULL, "message: %s", last_error());
  const char *broken = "key: [unclosed\n";
  CHECK_CODE(vx_router_new((const uint8_t *)broken, strlen(broken), &router), VX_ERR_CONFIG);
  CHECK(strstr(last_error(), "line 1") != NULL, "message: %s", last_error());
  CHECK_CODE(vx_router_new(NULL, 10, &router), VX_ERR_ARGUMENT);
  CHECK_CODE(vx_router_new((const uint8_t *)table, strlen(table), NULL), VX_ERR_ARGUMENT);
  vx_router_free(NULL);
}

static void check_last_error(void) {
  CHECK_CODE(vx_router_new(NULL, 0, NULL), VX_ERR_ARGUMENT);
  size_t full = vx_last_error(NULL, 0);
  CHECK(full > 10, "last error length %zu", full);
  char small[4] = {0};
  CHECK(vx_last_error((uint8_t *)small, sizeof small) == full, "length with a small buffer");
  char *all = calloc(full + 1, 1);
  CHECK(vx_last_error((uint8_t *)all, full) == full, "length");
  CHECK(memcmp(all, small, sizeof small) == 0, "a truncated copy is a prefix");
  free(all);
}

static void load_handler_names(vx_router *router) {
  for (handler_count = 0;; handler_count++) {
    name_ctx ctx = {router, handler_count};
    int32_t code;
    char *name = read_output(call_handler_name, &ctx, &code);
    if (code == VX_ERR_ARGUMENT) break;
    CHECK_CODE(code, VX_OK);
    if (!name || strlen(name) >= sizeof names[0] || handler_count >= 64) exit(1);
    strcpy(names[handler_count], name);
    free(name);
  }
  CHECK(strstr(last_error(), "out of range") != NULL, "message: %s", last_error());
  CHECK(handler_count == 6, "%u handlers, want 6", handler_count);
  CHECK(strcmp(names[0], "scoring") == 0 && strcmp(names[1], "audit") == 0 &&
            strcmp(names[5], "ops") == 0,
        "handler ids follow first appearance");
  uint8_t out[8];
  size_t written = 0;
  CHECK_CODE(vx_handler_name(NULL, 0, out, sizeof out, &written), VX_ERR_ARGUMENT);
  CHECK_CODE(vx_handler_name(router, 0, NULL, sizeof out, &written), VX_ERR_ARGUMENT);
  CHECK_CODE(vx_handler_name(router, 0, out, sizeof out, NULL), VX_ERR_ARGUMENT);
}

static void check_route_errors(vx_router *router, vx_bytes event) {
  vx_result results[2];
  memset(results, 0x5a, sizeof results);
  vx_result untouched = results[0];
  CHECK_CODE(vx_route(NULL, VX_FORMAT_JSON, &event, 1, results), VX_ERR_ARGUMENT);
  CHECK_CODE(vx_route(router, VX_FORMAT_JSON, NULL, 1, results), VX_ERR_ARGUMENT);
  CHECK_CODE(vx_route(router, VX_FORMAT_JSON, &event, 1, NULL), VX_ERR_ARGUMENT);
  CHECK_CODE(vx_route(router, 0, &event, 1, results), VX_ERR_ARGUMENT);
  CHECK_CODE(vx_route(router, 4, &event, 1, results), VX_ERR_ARGUMENT);
  vx_bytes with_null[2] = {event, {NULL, 0}};
  CHECK_CODE(vx_route(router, VX_FORMAT_JSON, with_null, 2, results), VX_ERR_ARGUMENT);
  CHECK(memcmp(&results[0], &untouched, sizeof untouched) == 0, "no result written on failure");
  uint8_t out[8];
  size_t written = 0;
  CHECK_CODE(vx_stats_json(NULL, out, sizeof out, &written), VX_ERR_ARGUMENT);
  CHECK_CODE(vx_stats_json(router, NULL, sizeof out, &written), VX_ERR_ARGUMENT);
  CHECK_CODE(vx_stats_json(router, out, sizeof out, NULL), VX_ERR_ARGUMENT);
}

static void check_convert(frames json, frames yaml, frames protobuf) {
  int32_t code;
  convert_ctx to_pb = {VX_FORMAT_JSON, VX_FORMAT_PROTOBUF, json.items[0]};
  char *pb = read_output(call_convert, &to_pb, &code);
  CHECK_CODE(code, VX_OK);
  CHECK(pb && memcmp(pb, protobuf.items[0].ptr, protobuf.items[0].len) == 0,
        "JSON to protobuf gives `veltrix gen`'s bytes");
  convert_ctx to_yaml = {VX_FORMAT_JSON, VX_FORMAT_YAML, json.items[1]};
  char *y = read_output(call_convert, &to_yaml, &code);
  CHECK_CODE(code, VX_OK);
  CHECK(y && strlen(y) == yaml.items[1].len && memcmp(y, yaml.items[1].ptr, strlen(y)) == 0,
        "JSON to YAML gives `veltrix gen`'s document");
  convert_ctx to_json = {VX_FORMAT_YAML, VX_FORMAT_JSON, yaml.items[2]};
  char *j = read_output(call_convert, &to_json, &code);
  CHECK_CODE(code, VX_OK);
  CHECK(j && strlen(j) == json.items[2].len + 1 && memcmp(j, json.items[2].ptr, json.items[2].len) == 0,
        "YAML to JSON gives `veltrix gen`'s line");
  free(pb);
  free(y);
  free(j);

  uint8_t out[4096];
  size_t written = 0;
  const char *bad = "{\"id\":\"x\",\"seq\":-1}";
  CHECK_CODE(vx_convert(VX_FORMAT_JSON, VX_FORMAT_YAML, (const uint8_t *)bad, strlen(bad), out,
                        sizeof out, &written),
             VX_REJECTED);
  CHECK(strstr(last_error(), "seq") != NULL, "message: %s", last_error());
  CHECK_CODE(vx_convert(VX_FORMAT_JSON, 7, json.items[0].ptr, json.items[0].len, out, sizeof out,
                        &written),
             VX_ERR_ARGUMENT);
  CHECK_CODE(vx_convert(VX_FORMAT_JSON, VX_FORMAT_YAML, NULL, 3, out, sizeof out, &written),
             VX_ERR_ARGUMENT);
  CHECK_CODE(vx_convert(VX_FORMAT_JSON, VX_FORMAT_YAML, json.items[0].ptr, json.items[0].len, out,
                        sizeof out, NULL),
             VX_ERR_ARGUMENT);
}

static void check_panic(buf table) {
  vx_router *router = new_router(table);
  const char *probe =
      "{\"id\":\"vx-panic-probe\",\"seq\":1,\"ts\":1,\"kind\":\"player_joined\",\"player_id\":\"p\","
      "\"region\":\"eu-west\",\"payload\":{\"skill\":1,\"platform\":\"pc\",\"party\":[]}}";
  vx_bytes event = {(const uint8_t *)probe, strlen(probe)};
  vx_result result;
  CHECK_CODE(vx_route(router, VX_FORMAT_JSON, &event, 1, &result), VX_ERR_PANIC);
  CHECK(strstr(last_error(), "panic probe") != NULL,
        "message: %s (is the library built with --features panic-probe?)", last_error());
  /* Poisoned: every call on this router answers VX_ERR_PANIC. */
  const char *fine = "{\"id\":\"ok\",\"seq\":1,\"ts\":1,\"kind\":\"heartbeat\",\"player_id\":\"p\",\"region\":\"eu\"}";
  vx_bytes good = {(const uint8_t *)fine, strlen(fine)};
  CHECK_CODE(vx_route(router, VX_FORMAT_JSON, &good, 1, &result), VX_ERR_PANIC);
  uint8_t out[4096];
  size_t written = 0;
  CHECK_CODE(vx_stats_json(router, out, sizeof out, &written), VX_ERR_PANIC);
  CHECK_CODE(vx_handler_name(router, 0, out, sizeof out, &written), VX_ERR_PANIC);
  CHECK(strstr(last_error(), "poisoned") != NULL, "message: %s", last_error());
  vx_router_free(router);
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s ROUTES.yaml ALL.jsonl CORPUS.yaml CORPUS.pb EXPLAIN.jsonl SUMMARY.json\n",
            argv[0]);
    return 2;
  }
  buf table = read_file(argv[1]);
  buf all_json = read_file(argv[2]), yaml_text = read_file(argv[3]), pb = read_file(argv[4]);
  buf explain_text = read_file(argv[5]), summary = read_file(argv[6]);
  frames json = split_lines(all_json), yaml = split_yaml(yaml_text), protobuf = split_protobuf(pb);
  frames explain_lines = split_lines(explain_text);

  CHECK(vx_abi_version() == VX_ABI_VERSION, "ABI version %u", vx_abi_version());
  check_router_new_errors();
  check_last_error();

  vx_router *router = new_router(table);
  load_handler_names(router);

  CHECK(explain_lines.n == json.n, "%zu explain lines for %zu JSON lines", explain_lines.n, json.n);
  CHECK(yaml.n == protobuf.n && yaml.n < json.n && yaml.n > 100, "corpus sizes: yaml %zu, pb %zu, json %zu",
        yaml.n, protobuf.n, json.n);
  if (failures) return 1;
  expected *want = calloc(explain_lines.n, sizeof *want);
  size_t bad = 0;
  for (size_t i = 0; i < explain_lines.n; i++) {
    want[i] = parse_explain((const char *)explain_lines.items[i].ptr, explain_lines.items[i].len);
    if (want[i].outcome == VX_REJECTED) bad++;
  }
  CHECK(bad == json.n - yaml.n, "%zu rejected in the explain output, want %zu", bad, json.n - yaml.n);

  /* JSON, every line (bad ones included) in batches of 64. */
  route_and_compare(router, VX_FORMAT_JSON, json, want, 64, "json");
  /* The first rejected event's message names it (1-based in its batch). */
  CHECK(strncmp(last_error(), "event ", 6) == 0, "message: %s", last_error());
  check_route_errors(router, json.items[0]);
  vx_router_free(router);

  /* YAML in one batch, then the summary against `veltrix route`'s. */
  router = new_router(table);
  route_and_compare(router, VX_FORMAT_YAML, yaml, want, yaml.n, "yaml");
  int32_t code;
  char *stats = read_output(call_stats, router, &code);
  CHECK_CODE(code, VX_OK);
  size_t summary_len = summary.len;
  while (summary_len > 0 && summary.data[summary_len - 1] == '\n') summary_len--;
  CHECK(stats && strlen(stats) == summary_len && memcmp(stats, summary.data, summary_len) == 0,
        "vx_stats_json differs from `veltrix route`:\n  %s\n  %.*s", stats, (int)summary_len,
        (const char *)summary.data);
  printf("vx_stats_json equals the summary of `veltrix route`\n");
  free(stats);
  vx_router_free(router);

  /* Protobuf one event at a time. */
  router = new_router(table);
  route_and_compare(router, VX_FORMAT_PROTOBUF, protobuf, want, 1, "protobuf");
  vx_router_free(router);

  check_convert(json, yaml, protobuf);
  check_panic(table);

  if (failures) {
    fprintf(stderr, "%d checks failed\n", failures);
    return 1;
  }
  printf("C ABI test: all checks passed\n");
  return 0;
}
