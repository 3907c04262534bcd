/*
 * The benchmark floor: plain C on libevent's evhttp, one event loop, answering every request
 * with the same pre-captured bytes (the exact body Storefront returned for the route under
 * test) and the same headers (Content-Type: application/json; evhttp adds Date and
 * Content-Length as it does for Storefront). It is what libevent itself costs here.
 *
 *   cc -O2 -o bench/floor bench/floor.c $(pkg-config --cflags --libs libevent)
 *   bench/floor PORT BODY_FILE [METHOD PATH STATUS BODY_FILE]...
 *
 * The optional quadruples answer one method + path (the URI up to '?') with their own status
 * and body, so a mixed workload (catalog, my-orders, order-create) has a floor that sends the
 * same bytes per route; every other request gets 200 and the first BODY_FILE.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct route {
  enum evhttp_cmd_type method;
  const char *path;
  int status;
  char *body;
  size_t body_len;
};

#define MAX_ROUTES 8
static struct route routes[MAX_ROUTES];
static int route_count;
static char *body;
static size_t body_len;

static char *read_file(const char *path, size_t *length) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    perror(path);
    return NULL;
  }
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *bytes = malloc(size > 0 ? (size_t)size : 1);
  *length = fread(bytes, 1, (size_t)size, file);
  fclose(file);
  return bytes;
}

static const char *reason(int status) {
  switch (status) {
  case 200: return "OK";
  case 201: return "Created";
  default: return "Status";
  }
}

static void serve(struct evhttp_request *req, void *arg) {
  (void)arg;
  const char *bytes = body;
  size_t length = body_len;
  int status = 200;
  if (route_count > 0) {
    const char *uri = evhttp_request_get_uri(req);
    size_t path_len = strcspn(uri, "?");
    enum evhttp_cmd_type method = evhttp_request_get_command(req);
    for (int i = 0; i < route_count; i++) {
      if (routes[i].method == method && strlen(routes[i].path) == path_len &&
          memcmp(routes[i].path, uri, path_len) == 0) {
        bytes = routes[i].body;
        length = routes[i].body_len;
        status = routes[i].status;
        break;
      }
    }
  }
  struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
  evhttp_add_header(headers, "Content-Type", "application/json");
  if (evbuffer_add(evhttp_request_get_output_buffer(req), bytes, length) != 0) {
    evhttp_send_error(req, 500, "evbuffer_add failed");
    return;
  }
  evhttp_send_reply(req, status, reason(status), NULL);
}

static int parse_method(const char *name, enum evhttp_cmd_type *method) {
  static const struct { const char *name; enum evhttp_cmd_type method; } methods[] = {
      {"GET", EVHTTP_REQ_GET}, {"POST", EVHTTP_REQ_POST}, {"PUT", EVHTTP_REQ_PUT},
      {"PATCH", EVHTTP_REQ_PATCH}, {"DELETE", EVHTTP_REQ_DELETE}};
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
    if (strcmp(name, methods[i].name) == 0) {
      *method = methods[i].method;
      return 0;
    }
  }
  return -1;
}

static void on_signal(evutil_socket_t sig, short events, void *arg) {
  (void)sig;
  (void)events;
  event_base_loopexit((struct event_base *)arg, NULL);
}

int main(int argc, char **argv) {
  if (argc < 3 || (argc - 3) % 4 != 0 || (argc - 3) / 4 > MAX_ROUTES) {
    fprintf(stderr, "usage: %s PORT BODY_FILE [METHOD PATH STATUS BODY_FILE]...\n", argv[0]);
    return 2;
  }
  if (!(body = read_file(argv[2], &body_len))) return 1;
  for (int arg = 3; arg < argc; arg += 4) {
    struct route *route = &routes[route_count++];
    if (parse_method(argv[arg], &route->method) != 0) {
      fprintf(stderr, "floor: unknown method %s\n", argv[arg]);
      return 2;
    }
    route->path = argv[arg + 1];
    route->status = atoi(argv[arg + 2]);
    if (!(route->body = read_file(argv[arg + 3], &route->body_len))) return 1;
  }

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
  /* A parent that spawned us from a thread with SIGTERM/SIGINT blocked (Foundation's Process
   * from a libdispatch thread does) would make them pending forever: unblock them. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);
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
