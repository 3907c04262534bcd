// An LD_PRELOAD library for the write-failure tests: makes chosen calls of write, fdatasync,
// fsync and ftruncate on the event log fail (and can hold its reads), and passes every other
// call through.
//
// A call is "on the log" when readlink(/proc/self/fd/<fd>) ends in FAULTSHIM_SUFFIX (default
// "/events.jsonl"). Such calls are numbered from 1, per function, across the log's descriptors
// (there is one unless a compaction swaps files). Environment:
//   FAULTSHIM_WRITE, FAULTSHIM_FDATASYNC, FAULTSHIM_FSYNC, FAULTSHIM_FTRUNCATE
//       comma-separated call numbers to fail; "N+" fails call N and every later one
//   FAULTSHIM_ERRNO      EIO (default), ENOSPC or a number: the errno of a failed call
//   FAULTSHIM_ARM_FILE   if set, calls are counted (and failed) only while this file exists
//   FAULTSHIM_HOLD_FILE  if set, fdatasync and fsync on the log wait while this file exists
//                        (a write stays unacknowledged, deterministically, until it is removed)
//   FAULTSHIM_HOLD_READS_UNTIL  if set, every read/pread of the log waits until this file
//                        exists (a replay that takes as long as the test wants)
// Each injected failure is reported on standard error as
//   "faultshim: failing <function> call <n> on fd <fd> with <errno>".
// Built by the tests with `cc -shared -fPIC -o faultshim.so faultshim.c -ldl`.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum { FN_WRITE, FN_FDATASYNC, FN_FSYNC, FN_FTRUNCATE, FN_COUNT };
static const char *names[FN_COUNT] = {"write", "fdatasync", "fsync", "ftruncate"};
static const char *variables[FN_COUNT] = {
    "FAULTSHIM_WRITE", "FAULTSHIM_FDATASYNC", "FAULTSHIM_FSYNC", "FAULTSHIM_FTRUNCATE"};

#define MAX_PLANNED 16
struct plan {
  long calls[MAX_PLANNED];
  int count;
  long from;  // 0: none; else every call >= from fails
};

static struct plan plans[FN_COUNT];
static long counters[FN_COUNT];
static int failure_errno = EIO;
static const char *suffix = "/events.jsonl";
static const char *arm_file;
static const char *hold_file;
static const char *hold_reads_file;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static ssize_t (*real_pread64)(int, void *, size_t, off_t);
static int (*real_fdatasync)(int);
static int (*real_fsync)(int);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off_t);

static void parse_plan(struct plan *plan, const char *text) {
  while (text && *text) {
    char *end;
    long number = strtol(text, &end, 10);
    if (end == text) break;
    if (*end == '+') {
      plan->from = number;
      end++;
    } else if (plan->count < MAX_PLANNED) {
      plan->calls[plan->count++] = number;
    }
    text = (*end == ',') ? end + 1 : end;
    if (*end != ',') break;
  }
}

static void resolve(void) {
  real_write = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
  real_read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
  real_pread = (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread");
  real_pread64 = (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread64");
  real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  real_ftruncate = (int (*)(int, off_t))dlsym(RTLD_NEXT, "ftruncate");
  real_ftruncate64 = (int (*)(int, off_t))dlsym(RTLD_NEXT, "ftruncate64");
}

__attribute__((constructor)) static void faultshim_init(void) {
  if (!real_write) resolve();
  for (int fn = 0; fn < FN_COUNT; fn++) parse_plan(&plans[fn], getenv(variables[fn]));
  const char *code = getenv("FAULTSHIM_ERRNO");
  if (code && strcmp(code, "ENOSPC") == 0) failure_errno = ENOSPC;
  else if (code && strcmp(code, "EIO") == 0) failure_errno = EIO;
  else if (code && *code) failure_errno = atoi(code);
  const char *wanted = getenv("FAULTSHIM_SUFFIX");
  if (wanted && *wanted) suffix = wanted;
  arm_file = getenv("FAULTSHIM_ARM_FILE");
  hold_file = getenv("FAULTSHIM_HOLD_FILE");
  hold_reads_file = getenv("FAULTSHIM_HOLD_READS_UNTIL");
}

static int is_log(int fd) {
  char link[64], target[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t length = readlink(link, target, sizeof target - 1);
  if (length <= 0) return 0;
  target[length] = 0;
  size_t wanted = strlen(suffix);
  return (size_t)length >= wanted && strcmp(target + length - wanted, suffix) == 0;
}

/// Waits (polling every millisecond) while the hold file exists, for a sync of the log.
static void hold(int fd) {
  if (!hold_file || !is_log(fd)) return;
  int saved = errno;
  struct stat info;
  while (stat(hold_file, &info) == 0) usleep(1000);
  errno = saved;
}

static int armed(void) {
  if (!arm_file) return 1;
  struct stat info;
  return stat(arm_file, &info) == 0;
}

/// Whether this call of `fn` on `fd` must fail (and then reports it); keeps errno.
static int should_fail(int fn, int fd) {
  int saved = errno;
  if (!real_write) resolve();  // Called before our constructor ran: pass through.
  int fail = 0;
  if (armed() && is_log(fd)) {
    long number = __atomic_add_fetch(&counters[fn], 1, __ATOMIC_SEQ_CST);
    struct plan *plan = &plans[fn];
    if (plan->from > 0 && number >= plan->from) fail = 1;
    for (int i = 0; i < plan->count && !fail; i++) fail = plan->calls[i] == number;
    if (fail && real_write) {
      char line[160];
      int length = snprintf(line, sizeof line, "faultshim: failing %s call %ld on fd %d with %s\n",
                            names[fn], number, fd, strerror(failure_errno));
      if (length > 0) real_write(2, line, (size_t)length);
    }
  }
  errno = saved;
  return fail;
}

/// Waits while reads of the log are held (FAULTSHIM_HOLD_READS_UNTIL); keeps errno.
static void hold_read(int fd) {
  if (!hold_reads_file || !*hold_reads_file) return;
  int saved = errno;
  if (is_log(fd)) {
    struct stat info;
    while (stat(hold_reads_file, &info) != 0) usleep(10000);
  }
  errno = saved;
}

ssize_t read(int fd, void *buffer, size_t count) {
  if (!real_read) resolve();
  hold_read(fd);
  return real_read(fd, buffer, count);
}

ssize_t pread(int fd, void *buffer, size_t count, off_t offset) {
  if (!real_pread) resolve();
  hold_read(fd);
  return real_pread(fd, buffer, count, offset);
}

ssize_t pread64(int fd, void *buffer, size_t count, off_t offset) {
  if (!real_pread64) resolve();
  hold_read(fd);
  return real_pread64(fd, buffer, count, offset);
}

ssize_t write(int fd, const void *buffer, size_t count) {
  if (should_fail(FN_WRITE, fd)) {
    errno = failure_errno;
    return -1;
  }
  return real_write(fd, buffer, count);
}

int fdatasync(int fd) {
  hold(fd);
  if (should_fail(FN_FDATASYNC, fd)) {
    errno = failure_errno;
    return -1;
  }
  return real_fdatasync(fd);
}

int fsync(int fd) {
  hold(fd);
  if (should_fail(FN_FSYNC, fd)) {
    errno = failure_errno;
    return -1;
  }
  return real_fsync(fd);
}

int ftruncate(int fd, off_t length) {
  if (should_fail(FN_FTRUNCATE, fd)) {
    errno = failure_errno;
    return -1;
  }
  return real_ftruncate(fd, length);
}

int ftruncate64(int fd, off_t length) {
  if (should_fail(FN_FTRUNCATE, fd)) {
    errno = failure_errno;
    return -1;
  }
  return real_ftruncate64(fd, length);
}
