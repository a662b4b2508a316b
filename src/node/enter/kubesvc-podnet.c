/*
 * kubesvc-podnet: the pod's side of the network for many sandboxes in one process.
 *
 * The agent used one `ip -n <netns> -batch` per pod for this (~2-4 ms of CPU each: a process
 * start, ip's libraries, a mount namespace and a /sys remount). Here one process joins each pod's
 * network namespace in turn and speaks rtnetlink itself; the node's side (namespaces, veths,
 * bridge ports) stays one shared `ip -batch`.
 *
 * Input, one pod per line:  NETNS IFNAME ADDRESS/PREFIX GATEWAY
 * For each: lo up, ADDRESS/PREFIX on IFNAME, IFNAME up, default route via GATEWAY (what
 * `ip -n NETNS -batch` did with `link set lo up`, `addr add`, `link set up`, `route add default`).
 * Output, one line per input line, in order: "ok" or "error <what failed>".
 * Exit status 1 when any line failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct request {
  struct nlmsghdr h;
  union {
    struct ifinfomsg link;
    struct ifaddrmsg addr;
    struct rtmsg route;
  } u;
  char attrs[64];
};

static void attr(struct nlmsghdr *h, unsigned short type, const void *data, unsigned short len) {
  struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
  a->rta_type = type;
  a->rta_len = RTA_LENGTH(len);
  memcpy(RTA_DATA(a), data, len);
  h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Sends one request and waits for the kernel's acknowledgement: 0, or an errno. */
static int talk(int fd, struct nlmsghdr *h) {
  static unsigned seq;
  h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  h->nlmsg_seq = ++seq;
  if (send(fd, h, h->nlmsg_len, 0) < 0) return errno;
  char buf[8192];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, n); r = NLMSG_NEXT(r, n))
      if (r->nlmsg_seq == h->nlmsg_seq && r->nlmsg_type == NLMSG_ERROR) return -((struct nlmsgerr *)NLMSG_DATA(r))->error;
  }
}

static int linkUp(int fd, int index) {
  struct request r = {0};
  r.h.nlmsg_len = NLMSG_LENGTH(sizeof r.u.link);
  r.h.nlmsg_type = RTM_NEWLINK;
  r.u.link.ifi_family = AF_UNSPEC;
  r.u.link.ifi_index = index;
  r.u.link.ifi_flags = IFF_UP;
  r.u.link.ifi_change = IFF_UP;
  return talk(fd, &r.h);
}

/* Replace rather than fail when it is there already: a retried setup converges. */
static int addAddress(int fd, int index, struct in_addr ip, unsigned char prefix) {
  struct request r = {0};
  r.h.nlmsg_len = NLMSG_LENGTH(sizeof r.u.addr);
  r.h.nlmsg_type = RTM_NEWADDR;
  r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
  r.u.addr.ifa_family = AF_INET;
  r.u.addr.ifa_prefixlen = prefix;
  r.u.addr.ifa_index = (unsigned)index;
  r.u.addr.ifa_scope = RT_SCOPE_UNIVERSE;
  attr(&r.h, IFA_LOCAL, &ip, sizeof ip);
  attr(&r.h, IFA_ADDRESS, &ip, sizeof ip);
  return talk(fd, &r.h);
}

static int defaultRoute(int fd, struct in_addr gateway) {
  struct request r = {0};
  r.h.nlmsg_len = NLMSG_LENGTH(sizeof r.u.route);
  r.h.nlmsg_type = RTM_NEWROUTE;
  r.h.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
  r.u.route.rtm_family = AF_INET;
  r.u.route.rtm_table = RT_TABLE_MAIN;
  r.u.route.rtm_protocol = RTPROT_BOOT; /* as ip route add */
  r.u.route.rtm_scope = RT_SCOPE_UNIVERSE;
  r.u.route.rtm_type = RTN_UNICAST;
  attr(&r.h, RTA_GATEWAY, &gateway, sizeof gateway);
  return talk(fd, &r.h);
}

/* One pod; NULL on success, else what failed (in a static buffer). */
static const char *setup(const char *netns, const char *ifname, char *cidr, const char *gw) {
  static char msg[1024];
  struct in_addr ip, gateway;
  char *slash = strchr(cidr, '/');
  if (!slash) return "address without /prefix";
  *slash = '\0';
  int prefix = atoi(slash + 1);
  if (inet_pton(AF_INET, cidr, &ip) != 1 || inet_pton(AF_INET, gw, &gateway) != 1 || prefix < 0 || prefix > 32) return "bad address";

  int nsfd = open(netns, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) < 0) {
    snprintf(msg, sizeof msg, "entering %s: %s", netns, strerror(errno));
    if (nsfd >= 0) close(nsfd);
    return msg;
  }
  close(nsfd);
  /* Both the netlink socket and if_nametoindex's socket belong to the namespace they are made in. */
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) {
    snprintf(msg, sizeof msg, "netlink socket: %s", strerror(errno));
    return msg;
  }
  int err = 0;
  const char *step = "";
  int lo = (int)if_nametoindex("lo"), dev = (int)if_nametoindex(ifname);
  if (!lo || !dev) err = ENODEV, step = !lo ? "lo" : ifname;
  else if ((err = linkUp(fd, lo))) step = "link set lo up";
  else if ((err = addAddress(fd, dev, ip, (unsigned char)prefix))) step = "addr add";
  else if ((err = linkUp(fd, dev))) step = "link set up";
  else if ((err = defaultRoute(fd, gateway))) step = "route add default";
  close(fd);
  if (!err) return NULL;
  snprintf(msg, sizeof msg, "%s in %s: %s", step, netns, strerror(err));
  return msg;
}

int main(void) {
  char line[1024];
  int failed = 0;
  while (fgets(line, sizeof line, stdin)) {
    char netns[512], ifname[IFNAMSIZ + 1], cidr[64], gw[64];
    int n = sscanf(line, "%511s %16s %63s %63s", netns, ifname, cidr, gw);
    if (n <= 0) continue; /* blank line */
    const char *err = n == 4 ? setup(netns, ifname, cidr, gw) : "expected: NETNS IFNAME ADDRESS/PREFIX GATEWAY";
    if (err) {
      printf("error %s\n", err);
      failed = 1;
    } else {
      puts("ok");
    }
  }
  return failed;
}
