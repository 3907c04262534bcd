/*
 * bad_calls.c: calls the Storefront C API wrongly on purpose and prints what comes back, one
 * line per call: "<name> <code> <message>". Built and run by EmbeddingTests.
 *
 *   bad_calls open DATA_DIR       storefront_open only (a missing parent, a held directory)
 *   bad_calls misuse DATA_DIR     NULL arguments, bad prefixes, wrong states, serve + stop
 */
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "storefront.h"

static void report(const char *name, int code) {
  char message[512];
  int last = storefront_last_error(message, sizeof message);
  if (last != code) {
    printf("%s %d last_error disagrees: %d\n", name, code, last);
    return;
  }
  printf("%s %d %s\n", name, code, code == 0 ? "ok" : message);
}

static void *serve_thread(void *arg) {
  int *result = arg;
  *result = storefront_serve(NULL) == STOREFRONT_ERR_INVALID_ARGUMENT ? 0 : -100;
  return NULL;
}

struct serving {
  storefront_t *sf;
  int result;
};

static void *serve_handle(void *arg) {
  struct serving *serving = arg;
  serving->result = storefront_serve(serving->sf);
  return NULL;
}

static int open_only(const char *data_dir) {
  char error[512] = "untouched";
  storefront_t *sf = storefront_open(NULL, data_dir, error, sizeof error);
  if (sf != NULL) {
    printf("open 0 ok\n");
    return storefront_close(sf) == 0 ? 0 : 1;
  }
  char last[512];
  int code = storefront_last_error(last, sizeof last);
  if (strcmp(last, error) != 0) {
    printf("open %d err buffer and last_error differ: [%s] [%s]\n", code, error, last);
    return 0;
  }
  printf("open %d %s\n", code, error);
  /* A tiny buffer: truncated and NUL-terminated. */
  char tiny[8];
  memset(tiny, 'x', sizeof tiny);
  storefront_open(NULL, data_dir, tiny, sizeof tiny);
  printf("open-truncated %d %s\n", code, tiny);
  return 0;
}

static int misuse(const char *data_dir) {
  if (evthread_use_pthreads() != 0) return 1;
  struct event_base *base = event_base_new();
  struct evhttp *http = evhttp_new(base);
  if (base == NULL || http == NULL) return 1;

  printf("version 0 %s\n", storefront_version());
  printf("strerror-in-use 0 %s\n", storefront_strerror(STOREFRONT_ERR_DATA_DIR_IN_USE));
  printf("strerror-unknown 0 %s\n", storefront_strerror(-99));
  storefront_last_error(NULL, 0);

  report("attach-null-handle", storefront_attach(NULL, base, http, "/api"));
  report("detach-null-handle", storefront_detach(NULL, NULL, NULL));
  report("serve-null-handle", storefront_serve(NULL));
  report("stop-null-handle", storefront_stop(NULL));
  report("close-null-handle", storefront_close(NULL));

  /* The last error is per thread: another thread's failure does not show here. */
  pthread_t other;
  int other_result = -1;
  report("before-other-thread", storefront_stop(NULL));
  pthread_create(&other, NULL, serve_thread, &other_result);
  pthread_join(other, NULL);
  char message[512];
  int code = storefront_last_error(message, sizeof message);
  printf("per-thread %d %s\n", other_result == 0 ? code : -100, message);

  char error[512];
  storefront_t *sf = storefront_open(NULL, data_dir, error, sizeof error);
  if (sf == NULL) {
    printf("open-fresh -1 %s\n", error);
    return 1;
  }
  report("open-fresh", 0);
  report("attach-null-evhttp", storefront_attach(sf, base, NULL, "/api"));
  report("attach-null-base", storefront_attach(sf, NULL, http, "/api"));
  report("attach-null-prefix", storefront_attach(sf, base, http, NULL));
  report("attach-relative-prefix", storefront_attach(sf, base, http, "api"));
  report("attach-empty-segment", storefront_attach(sf, base, http, "/api//v1"));
  report("attach-dot-segment", storefront_attach(sf, base, http, "/api/../x"));
  report("attach-space", storefront_attach(sf, base, http, "/my api"));
  report("detach-not-attached", storefront_detach(sf, NULL, NULL));

  /* Standalone: serve on another thread, stop from this one (STOREFRONT_PORT=0 in the env). */
  struct serving serving = {sf, -100};
  pthread_t server;
  pthread_create(&server, NULL, serve_handle, &serving);
  /* On success storefront_stop leaves the last error alone (async-signal-safety). */
  printf("stop %d ok\n", storefront_stop(sf));
  pthread_join(server, NULL);
  printf("serve-returned %d %s\n", serving.result, serving.result == 0 ? "ok" : "failed");

  report("attach", storefront_attach(sf, base, http, "/api/"));
  report("attach-twice", storefront_attach(sf, base, http, "/api/"));
  report("serve-attached", storefront_serve(sf));
  evhttp_free(http);
  report("close", storefront_close(sf));
  event_base_free(base);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "open") == 0) return open_only(argv[2]);
  if (argc == 3 && strcmp(argv[1], "misuse") == 0) return misuse(argv[2]);
  fprintf(stderr, "usage: %s open|misuse DATA_DIR\n", argv[0]);
  return 2;
}
