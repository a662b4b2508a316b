/* Connect-latency probe for bench/proxy: N blocking TCP connects to each target, interleaved
 * (target 1, target 2, ..., target 1, ...) so that every target sees the same machine noise.
 * Each connect is timed from connect() to its return (SYN out, SYN-ACK or RST back in: the first
 * packet's trip through the rules), then the socket is closed with an RST (SO_LINGER 0) so no
 * TIME_WAIT piles up between samples. Prints one line per target:
 *   "target=ADDR:PORT n= ok= refused= other= p50_us= p90_us= p99_us= mean_us= min_us="
 * Build: cc -O2 -o connlat connlat.c.  Usage: connlat N WARMUP ADDR:PORT [ADDR:PORT...] */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS 8

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

struct target {
  const char *name;
  struct sockaddr_in sa;
  double *us;
  int got, ok, refused, other;
};

static double once(struct target *t, int record) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct linger lg = {1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int r = connect(fd, (struct sockaddr *)&t->sa, sizeof t->sa);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  int e = errno;
  close(fd);
  double us = (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
  if (!record) return us;
  if (r == 0) t->ok++;
  else if (e == ECONNREFUSED) t->refused++;
  else t->other++;
  t->us[t->got++] = us;
  return us;
}

int main(int argc, char **argv) {
  if (argc < 4 || argc - 3 > MAX_TARGETS) {
    fprintf(stderr, "usage: connlat N WARMUP ADDR:PORT [ADDR:PORT...]\n");
    return 2;
  }
  int n = atoi(argv[1]), warm = atoi(argv[2]), nt = argc - 3;
  struct target ts[MAX_TARGETS];
  memset(ts, 0, sizeof ts);
  for (int i = 0; i < nt; i++) {
    char host[64];
    const char *colon = strrchr(argv[3 + i], ':');
    if (!colon || colon - argv[3 + i] >= (long)sizeof host) return 2;
    memcpy(host, argv[3 + i], (size_t)(colon - argv[3 + i]));
    host[colon - argv[3 + i]] = 0;
    ts[i].name = argv[3 + i];
    ts[i].sa.sin_family = AF_INET;
    ts[i].sa.sin_port = htons((unsigned short)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &ts[i].sa.sin_addr) != 1) return 2;
    ts[i].us = calloc((size_t)n, sizeof(double));
  }
  for (int k = 0; k < warm; k++)
    for (int i = 0; i < nt; i++) once(&ts[i], 0);
  for (int k = 0; k < n; k++)
    for (int i = 0; i < nt; i++) once(&ts[i], 1);
  for (int i = 0; i < nt; i++) {
    struct target *t = &ts[i];
    qsort(t->us, (size_t)t->got, sizeof(double), cmp);
    double sum = 0;
    for (int j = 0; j < t->got; j++) sum += t->us[j];
    printf("target=%s n=%d ok=%d refused=%d other=%d p50_us=%.1f p90_us=%.1f p99_us=%.1f mean_us=%.1f min_us=%.1f\n", t->name,
           t->got, t->ok, t->refused, t->other, t->us[t->got / 2], t->us[(int)(t->got * 0.9)], t->us[(int)(t->got * 0.99)],
           sum / t->got, t->us[0]);
  }
  return 0;
}
