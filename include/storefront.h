/*
 * storefront.h: embed the Storefront e-commerce API in a C program (C11).
 *
 * Link with libstorefront.so (SwiftPM product `storefront`) and libevent:
 *
 *   cc -std=c11 -I include host.c -L "$(swift build --show-bin-path)" -lstorefront \
 *      -levent -levent_pthreads -Wl,-rpath,"$(swift build --show-bin-path)" \
 *      -Wl,-rpath,/opt/swift/usr/lib/swift/linux
 *
 * (the last directory is the Swift runtime's: `swift -print-target-info`, runtimeLibraryPaths).
 * Nothing else about Swift is visible: the library exports only the storefront_* functions.
 *
 * Lifecycle
 *
 *   evthread_use_pthreads();                         // before any event_base exists
 *   struct event_base *base = event_base_new();
 *   struct evhttp *http = evhttp_new(base);
 *   char err[256];
 *   storefront_t *sf = storefront_open(NULL, "/var/lib/shop", err, sizeof err);
 *   if (!sf) { fprintf(stderr, "%s\n", err); exit(1); }
 *   storefront_attach(sf, base, http, "/api");       // serve /api/... on this loop
 *   event_base_dispatch(base);
 *   // on SIGTERM (an evsignal on base): storefront_detach(sf, on_drained, base);
 *   //   on_drained(...) { event_base_loopexit(base, NULL); }
 *   evhttp_free(http);
 *   storefront_close(sf);                            // flush the log, release the data dir
 *   event_base_free(base);
 *
 * Or standalone, with Storefront's own event loops, host and port from the configuration:
 *
 *   storefront_serve(sf);      // blocks; storefront_stop(sf) from a signal handler or thread
 *   storefront_close(sf);
 *
 * Errors
 *
 * Every function that can fail returns 0 or a negative STOREFRONT_ERR_* code (storefront_open
 * returns NULL) and records a one-line, human-readable message for the calling thread, read with
 * storefront_last_error() (storefront_stop records only its failures). Bad arguments (NULL
 * pointers, a malformed prefix, a call in the wrong state) are reported this way, never by
 * aborting. Using a handle after storefront_close freed it (0 or STOREFRONT_ERR_IO) is
 * undefined, as for free().
 *
 * Threads
 *
 * Storefront runs its request handlers on its own threads (Swift's global executor, a password
 * hashing pool) and always sends replies on the thread that runs the host's event loop, through an
 * internal event activated with event_active(); that is why the host must call
 * evthread_use_pthreads() before creating its event_base. The host's own callbacks are never
 * called by Storefront.
 */
#ifndef STOREFRONT_H
#define STOREFRONT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct event_base;
struct evhttp;

/** An open Storefront: its data directory locked and its event log replayed. Opaque. */
typedef struct storefront storefront_t;

/** The codes every storefront_* function returns: 0 for success, negative for an error. */
enum storefront_status {
  /** Success. */
  STOREFRONT_OK = 0,
  /** A NULL handle, event_base or evhttp, or a malformed prefix. */
  STOREFRONT_ERR_INVALID_ARGUMENT = -1,
  /** The configuration file is missing or malformed, or a value (file or STOREFRONT_* variable)
   *  is invalid; the message names the key and where it came from. */
  STOREFRONT_ERR_CONFIG = -2,
  /** The data directory cannot be created (e.g. its parent does not exist), opened or written. */
  STOREFRONT_ERR_DATA_DIR = -3,
  /** The data directory is locked by another process (or another open handle); the message
   *  names the process id when known. */
  STOREFRONT_ERR_DATA_DIR_IN_USE = -4,
  /** The event log cannot be replayed (a corrupt line before the end); the message says which
   *  line and how to repair it. */
  STOREFRONT_ERR_LOG_CORRUPT = -5,
  /** The call does not fit the handle's state: attaching twice, serving while attached,
   *  detaching a handle that is not attached, closing while storefront_serve runs. */
  STOREFRONT_ERR_STATE = -6,
  /** A libevent call failed, or the standalone server cannot listen (e.g. the port is taken). */
  STOREFRONT_ERR_EVENT = -7,
  /** Flushing or closing the event log failed; the data written before is durable. */
  STOREFRONT_ERR_IO = -8,
  /** Passed to a storefront_drained_fn: the shutdown timeout elapsed with requests unanswered. */
  STOREFRONT_ERR_TIMEOUT = -9,
};

/** Called on the host's loop thread once a detached Storefront has answered every request it
 *  had received (status STOREFRONT_OK), or when limits.shutdown_timeout_seconds elapsed first
 *  (status STOREFRONT_ERR_TIMEOUT). */
typedef void (*storefront_drained_fn)(storefront_t *sf, int status, void *arg);

/** The library version, e.g. "0.1.0". Any thread; the string is static. */
const char *storefront_version(void);

/** A short static description of a STOREFRONT_* code ("data directory in use"). Any thread. */
const char *storefront_strerror(int code);

/**
 * The code of the calling thread's most recent storefront_* call (0 when it succeeded), and
 * its message copied into buf (NUL-terminated, truncated to buflen - 1 bytes; buf may be NULL
 * when buflen is 0). Any thread; each thread has its own last error.
 */
int storefront_last_error(char *buf, size_t buflen);

/**
 * Reads the configuration, locks data_dir and replays its event log.
 *
 * config_path: a JSON configuration file, or NULL for the defaults. Either way STOREFRONT_*
 *   environment variables override the file (e.g. STOREFRONT_AUTH_PBKDF2_ITERATIONS).
 * data_dir: the data directory, or NULL for the configuration's data_dir. A missing directory
 *   is created (as `storefront serve` does); a missing parent is an error.
 * err, errlen: on failure the message is copied here (NUL-terminated, truncated); may be NULL.
 *
 * Returns the handle, or NULL with the code in storefront_last_error(): STOREFRONT_ERR_CONFIG,
 * _DATA_DIR, _DATA_DIR_IN_USE, _LOG_CORRUPT.
 * Threads: any thread, not an event-loop callback (it blocks during replay).
 */
storefront_t *storefront_open(const char *config_path, const char *data_dir, char *err,
                              size_t errlen);

/**
 * Serves the API under prefix on the host's evhttp, on the host's event loop.
 *
 * base: the event_base that http was created on (libevent 2.1 has no way to get it from an
 *   evhttp, and Storefront needs it to send replies on the loop thread). The host must have
 *   called evthread_use_pthreads() before creating it.
 * http: the host's evhttp. Storefront installs the generic callback (evhttp_set_gencb), so
 *   the host's exact routes (evhttp_set_cb) keep precedence and every other path is answered by
 *   Storefront (JSON 404 outside prefix). It also allows every HTTP method on http
 *   (evhttp_set_allowed_methods); the host's size limits and timeouts are left as they are.
 *   The host's evhttp keeps its own framing: the request guard of storefront_serve (strict
 *   HTTP/1.1 framing, request deadline, body budget; it needs evhttp's bevcb) is not
 *   installed on it, so a host that faces untrusted clients sets its own limits.
 * prefix: the mount point, "/" or a path such as "/api" or "/api/" (trailing slash ignored):
 *   letters, digits and - . _ ~ between slashes, no empty, "." or ".." segment.
 *
 * Returns 0, STOREFRONT_ERR_INVALID_ARGUMENT, _STATE (already attached or serving), _EVENT.
 * Threads: on the host loop's thread (from a callback or before the loop runs).
 * The handle must stay open as long as http exists: call storefront_close after evhttp_free.
 */
int storefront_attach(storefront_t *sf, struct event_base *base, struct evhttp *http,
                      const char *prefix);

/**
 * Stops routing new requests to Storefront (they get evhttp's 404) and lets the ones in flight
 * finish: their replies still go out on the loop. on_drained (may be NULL) is then called once,
 * on the loop thread, from a later loop iteration, never from inside storefront_detach; a host
 * shutting down typically calls event_base_loopexit() there.
 *
 * Returns 0, STOREFRONT_ERR_INVALID_ARGUMENT, _STATE (not attached), _EVENT.
 * Threads: on the host loop's thread, while its loop runs (the drain needs it).
 */
int storefront_detach(storefront_t *sf, storefront_drained_fn on_drained, void *arg);

/**
 * Runs the standalone server: limits, host, port and workers from the configuration, on
 * Storefront's own event loops. Blocks until storefront_stop(), then stops accepting, answers
 * the requests in flight (at most limits.shutdown_timeout_seconds) and returns 0.
 * A storefront_stop() that came before storefront_serve() makes it return at once.
 *
 * Returns 0, STOREFRONT_ERR_INVALID_ARGUMENT, _STATE (attached, or already serving), _EVENT
 * (cannot listen). The handle stays open: serve again, or storefront_close.
 * Threads: any one thread, not an event-loop callback. Installs no signal handlers.
 */
int storefront_serve(storefront_t *sf);

/**
 * Asks storefront_serve() to return. Only writes one byte to an internal pipe, so it is
 * thread-safe and async-signal-safe (call it from a SIGTERM handler). Has no effect on an
 * attached handle: use storefront_detach().
 *
 * Returns 0 without touching the last error, or STOREFRONT_ERR_INVALID_ARGUMENT for NULL (then,
 * and only then, it records a message, which is not async-signal-safe: do not pass NULL from a
 * signal handler).
 * Threads: any thread, any time between storefront_open and storefront_close.
 */
int storefront_stop(storefront_t *sf);

/**
 * Flushes and closes the event log, releases the data directory's lock and frees the handle.
 * It never touches the host's evhttp, which is already freed when attached (see below).
 * Requests that were still in flight (no storefront_detach, or its drain timed out) are
 * abandoned: their replies are never sent and their handlers stop before reaching the loop.
 *
 * Returns 0 (the handle is freed), STOREFRONT_ERR_INVALID_ARGUMENT, _STATE (storefront_serve is
 * running: stop it and wait for it to return; the handle stays valid), _IO (the handle is freed
 * and the lock released anyway; the message says what could not be flushed).
 * Threads: any one thread when standalone. When attached: after the host's loop returned (or on
 * its thread), after evhttp_free(http) and before event_base_free(base).
 */
int storefront_close(storefront_t *sf);

#ifdef __cplusplus
}
#endif

#endif /* STOREFRONT_H */
