/*
 * The benchmark floor: plain C on libevent's evhttp, one event loop, answering every request
 * with the same pre-captured bytes (the exact body Storefront returned for the route under
 * test) and the same headers (Content-Type: application/json; evhttp adds Date and
 * Content-Length as it does for Storefront). It is what libevent itself costs here.
 *
 *   cc -O2 -o bench/floor bench/floor.c $(pkg-config --cflags --libs libevent)
 *   bench/floor PORT BODY_FILE
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static char *body;
static size_t body_len;

static void serve(struct evhttp_request *req, void *arg) {
  (void)arg;
  struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
  evhttp_add_header(headers, "Content-Type", "application/json");
  if (evbuffer_add(evhttp_request_get_output_buffer(req), body, body_len) != 0) {
    evhttp_send_error(req, 500, "evbuffer_add failed");
    return;
  }
  evhttp_send_reply(req, 200, "OK", NULL);
}

static void on_signal(evutil_socket_t sig, short events, void *arg) {
  (void)sig;
  (void)events;
  event_base_loopexit((struct event_base *)arg, NULL);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PORT BODY_FILE\n", argv[0]);
    return 2;
  }
  FILE *file = fopen(argv[2], "rb");
  if (!file) {
    perror(argv[2]);
    return 1;
  }
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  body = malloc(size > 0 ? (size_t)size : 1);
  body_len = fread(body, 1, (size_t)size, file);
  fclose(file);

  struct event_base *base = event_base_new();
  struct evhttp *http = base ? evhttp_new(base) : NULL;
  if (!http) {
    fprintf(stderr, "floor: cannot create event base / evhttp\n");
    return 1;
  }
  evhttp_set_gencb(http, serve, NULL);
  if (!evhttp_bind_socket_with_handle(http, "127.0.0.1", (ev_uint16_t)atoi(argv[1]))) {
    fprintf(stderr, "floor: cannot bind 127.0.0.1:%s\n", argv[1]);
    return 1;
  }
  struct event *term = evsignal_new(base, SIGTERM, on_signal, base);
  struct event *intr = evsignal_new(base, SIGINT, on_signal, base);
  if (!term || !intr || event_add(term, NULL) != 0 || event_add(intr, NULL) != 0) {
    fprintf(stderr, "floor: cannot install signal events\n");
    return 1;
  }
  fprintf(stderr, "floor: serving %zu bytes on 127.0.0.1:%s\n", body_len, argv[1]);
  event_base_dispatch(base);
  event_free(term);
  event_free(intr);
  evhttp_free(http);
  event_base_free(base);
  free(body);
  return 0;
}
