/*
 * host.c: a C program with its own libevent loop and HTTP server that embeds Storefront.
 *
 *   ./host PORT DATA_DIR [CONFIG_PATH]
 *
 * Serves its own route GET /host/ping and the Storefront API under /api/ on 127.0.0.1:PORT
 * (PORT 0 picks a free port). Prints "listening on 127.0.0.1:<port>" once it accepts
 * connections. SIGTERM or SIGINT: Storefront is detached, finishes its requests in flight, the
 * loop exits, the log is flushed and closed, and the process exits 0.
 */
#define _POSIX_C_SOURCE 200809L /* sigset_t and pthread_sigmask under -std=c11 */

#include <event2/event.h>
#include <event2/http.h>
#include <event2/buffer.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <event2/util.h>

#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "storefront.h"

struct host {
  struct event_base *base;
  struct evhttp *http;
  storefront_t *storefront;
  int stopping;
};

/* GET /host/ping: the host's own route, answered by the host. */
static void ping(struct evhttp_request *request, void *arg) {
  (void)arg;
  struct evbuffer *body = evbuffer_new();
  if (body == NULL) {
    evhttp_send_error(request, HTTP_INTERNAL, NULL);
    return;
  }
  evbuffer_add_printf(body, "pong\n");
  evhttp_add_header(evhttp_request_get_output_headers(request), "Content-Type", "text/plain");
  evhttp_send_reply(request, HTTP_OK, "OK", body);
  evbuffer_free(body);
}

/* Storefront has answered everything it had: leave the loop. */
static void drained(storefront_t *storefront, int status, void *arg) {
  (void)storefront;
  struct host *host = arg;
  if (status != STOREFRONT_OK) {
    fprintf(stderr, "host: storefront drain: %s\n", storefront_strerror(status));
  }
  event_base_loopexit(host->base, NULL);
}

/* SIGTERM/SIGINT, delivered on the loop thread by libevent. */
static void on_signal(evutil_socket_t signal_number, short events, void *arg) {
  (void)events;
  struct host *host = arg;
  if (host->stopping) return;
  host->stopping = 1;
  fprintf(stderr, "host: signal %d, shutting down\n", (int)signal_number);
  if (storefront_detach(host->storefront, drained, host) != 0) {
    char message[512];
    storefront_last_error(message, sizeof message);
    fprintf(stderr, "host: %s\n", message);
    event_base_loopexit(host->base, NULL);
  }
}

/* The port a bound socket listens on (useful with port 0). */
static int bound_port(struct evhttp_bound_socket *bound) {
  struct sockaddr_storage address;
  socklen_t length = sizeof address;
  if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&address, &length) != 0)
    return -1;
  return ntohs(((struct sockaddr_in *)&address)->sin_port);
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s PORT DATA_DIR [CONFIG_PATH]\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  const char *data_dir = argv[2];
  const char *config_path = argc == 4 ? argv[3] : NULL;

  /* A parent may have spawned us with signals blocked (e.g. from a libdispatch thread); the
   * mask is inherited across exec and would keep SIGTERM from ever reaching the loop. Unblock
   * before any thread exists, so Storefront's threads inherit the unblocked mask too. */
  sigset_t handled;
  sigemptyset(&handled);
  sigaddset(&handled, SIGTERM);
  sigaddset(&handled, SIGINT);
  pthread_sigmask(SIG_UNBLOCK, &handled, NULL);

  /* Storefront replies from its own threads through event_active: locks first. */
  if (evthread_use_pthreads() != 0) {
    fprintf(stderr, "host: evthread_use_pthreads failed\n");
    return 1;
  }
  struct host host = {0};
  host.base = event_base_new();
  if (host.base == NULL) {
    fprintf(stderr, "host: event_base_new failed\n");
    return 1;
  }
  host.http = evhttp_new(host.base);
  if (host.http == NULL) {
    fprintf(stderr, "host: evhttp_new failed\n");
    return 1;
  }
  if (evhttp_set_cb(host.http, "/host/ping", ping, NULL) != 0) {
    fprintf(stderr, "host: evhttp_set_cb failed\n");
    return 1;
  }

  char error[512];
  host.storefront = storefront_open(config_path, data_dir, error, sizeof error);
  if (host.storefront == NULL) {
    fprintf(stderr, "host: storefront_open: %s\n", error);
    return 1;
  }
  if (storefront_attach(host.storefront, host.base, host.http, "/api/") != 0) {
    storefront_last_error(error, sizeof error);
    fprintf(stderr, "host: %s\n", error);
    storefront_close(host.storefront);
    return 1;
  }

  struct evhttp_bound_socket *bound =
      evhttp_bind_socket_with_handle(host.http, "127.0.0.1", (ev_uint16_t)port);
  if (bound == NULL) {
    fprintf(stderr, "host: cannot listen on 127.0.0.1:%d\n", port);
    return 1;
  }
  struct event *term = evsignal_new(host.base, SIGTERM, on_signal, &host);
  struct event *interrupt = evsignal_new(host.base, SIGINT, on_signal, &host);
  if (term == NULL || interrupt == NULL || event_add(term, NULL) != 0 ||
      event_add(interrupt, NULL) != 0) {
    fprintf(stderr, "host: cannot watch signals\n");
    return 1;
  }

  printf("listening on 127.0.0.1:%d (storefront %s)\n", bound_port(bound), storefront_version());
  fflush(stdout);

  if (event_base_dispatch(host.base) < 0) {
    fprintf(stderr, "host: event_base_dispatch failed\n");
    return 1;
  }

  /* Order matters: the evhttp before storefront_close, storefront_close before the base. */
  event_free(term);
  event_free(interrupt);
  evhttp_free(host.http);
  int status = storefront_close(host.storefront);
  if (status != 0) {
    storefront_last_error(error, sizeof error);
    fprintf(stderr, "host: %s\n", error);
  }
  event_base_free(host.base);
  fprintf(stderr, "host: stopped\n");
  return status == 0 ? 0 : 1;
}
