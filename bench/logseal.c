/*
 * Seals event-log lines for bench/run's big catalog templates: reads lines of the form
 *   {"seq":N,"ts":"...","type":"...","data":{...}
 * (a record without its checksum and closing brace) from stdin and writes each to stdout as
 * Storefront writes it (Sources/EventLog/LogLineFormat.swift):
 *   {"seq":N,...,"data":{...},"crc":"<CRC-32C of the bytes before ,"crc", 8 lowercase hex>"}
 * so that 100,000 products are written in a second instead of a minute of HTTP.
 *
 *   cc -O2 -o bench/logseal bench/logseal.c
 *   python3 bench/bench.py product-lines ... | bench/logseal >> DATA/events.jsonl
 *
 * Lines are at most MAX_LINE bytes (exit status 1 beyond, nothing of that line written).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_LINE (1 << 20)

static uint32_t table[256];

static uint32_t crc32c(const unsigned char *bytes, size_t count) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < count; i++) crc = table[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

int main(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  if (crc32c((const unsigned char *)"123456789", 9) != 0xE3069283u) {
    fprintf(stderr, "logseal: CRC-32C self-check failed\n");
    return 1;
  }
  static char line[MAX_LINE + 2];
  while (fgets(line, sizeof line, stdin)) {
    size_t length = strlen(line);
    if (length > 0 && line[length - 1] == '\n') {
      length--;
    } else if (!feof(stdin)) {
      fprintf(stderr, "logseal: a line is longer than %d bytes\n", MAX_LINE);
      return 1;
    }
    if (length == 0) continue;
    printf("%.*s,\"crc\":\"%08x\"}\n", (int)length, line, crc32c((unsigned char *)line, length));
  }
  if (ferror(stdin) || fflush(stdout) != 0) {
    perror("logseal");
    return 1;
  }
  return 0;
}
