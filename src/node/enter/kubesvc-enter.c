/*
 * kubesvc-enter: puts itself into a pod's sandbox, then execs the container's program.
 *
 * It replaces an exec chain (env -i -> setsid -> unshare -> nsenter -> sh + two mount runs) that
 * cost ~1 ms of CPU per exec, ~6-8 execs per container. The agent cannot do these steps itself:
 * unshare(CLONE_NEWNS) and setns() act on the calling thread and the mount namespace needs a
 * single-threaded process, which Node is not - so container runtimes do this step in C too.
 * Every step happens in this one process and the last one is execve, so the pid the agent sees
 * is the program's.
 *
 * Usage:
 *   kubesvc-enter NETNS RESOLV HOSTS HOSTNAME CWD NENV [NAME=VALUE]... PROGRAM [ARG]...
 * NETNS     network namespace file to join; "" stays in the current one (hostNetwork pods)
 * RESOLV    file bind-mounted over /etc/resolv.conf (a failure is ignored, as before)
 * HOSTS     file bind-mounted over /etc/hosts (likewise)
 * HOSTNAME  host name of the new UTS namespace
 * CWD       working directory; failing to enter it is exit status 1
 * NENV      how many NAME=VALUE words follow: they are the whole environment of the program;
 *           "-" keeps the inherited environment (exec probes and hooks)
 * PROGRAM   looked up on the PATH of the new environment, as env(1) and sh do
 * The program not found: exit 127; found but not runnable: 126 (sh's statuses).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

extern char **environ;

static void die(int status, const char *what, const char *arg) {
  fprintf(stderr, "kubesvc-enter: %s \"%s\": %s\n", what, arg, strerror(errno));
  exit(status);
}

int main(int argc, char **argv) {
  if (argc < 8) {
    fprintf(stderr, "usage: kubesvc-enter NETNS RESOLV HOSTS HOSTNAME CWD NENV [NAME=VALUE]... PROGRAM [ARG]...\n");
    return 1;
  }
  const char *netns = argv[1], *resolv = argv[2], *hosts = argv[3], *hostname = argv[4], *cwd = argv[5];
  char **env = environ;
  char **program = argv + 7;
  if (strcmp(argv[6], "-") != 0) {
    char *end;
    long n = strtol(argv[6], &end, 10);
    if (argv[6][0] == '\0' || *end != '\0' || n < 0 || n >= argc - 7) {
      fprintf(stderr, "kubesvc-enter: bad environment count \"%s\"\n", argv[6]);
      return 1;
    }
    /* The words are already in argv: the new environment is that slice, NULL-terminated. */
    env = calloc((size_t)n + 1, sizeof *env);
    if (!env) die(1, "calloc", "environment");
    memcpy(env, program, (size_t)n * sizeof *env);
    program += n;
  }

  /*
   * A session of its own (as setsid(1)): signals meant for the agent's process group or terminal
   * do not reach the container. It fails only when we already lead a process group, i.e. the
   * caller made one for us (Node's detached spawn); setsid(1) would fork then, which would give
   * the agent the wrong pid, so that is left as it is.
   */
  (void)setsid();

  /* Opened before unshare: the path is resolved in the agent's mount table. */
  int nsfd = -1;
  if (netns[0] != '\0' && (nsfd = open(netns, O_RDONLY | O_CLOEXEC)) < 0) die(1, "open network namespace", netns);

  /* Own mount namespace (for the two bind mounts) and UTS namespace (for the host name). */
  if (unshare(CLONE_NEWNS | CLONE_NEWUTS) < 0) die(1, "unshare", "mount,uts");
  /* Recursively private, as unshare(1)'s default: the bind mounts must not leak back to the host. */
  if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die(1, "make private", "/");
  if (nsfd >= 0) {
    if (setns(nsfd, CLONE_NEWNET) < 0) die(1, "setns", netns);
    close(nsfd);
  }

  /* The pod's DNS files; a host without /etc/hosts or /etc/resolv.conf just keeps its own view. */
  (void)mount(resolv, "/etc/resolv.conf", NULL, MS_BIND, NULL);
  (void)mount(hosts, "/etc/hosts", NULL, MS_BIND, NULL);

  /* As the old prologue's `echo > /proc/sys/kernel/hostname`: complain, but carry on. */
  if (sethostname(hostname, strlen(hostname)) < 0)
    fprintf(stderr, "kubesvc-enter: sethostname \"%s\": %s\n", hostname, strerror(errno));

  if (chdir(cwd) < 0) die(1, "chdir to working directory", cwd);

  /*
   * Default signal dispositions and an empty signal mask, as a container runtime gives: the fork
   * server starts containers as background jobs of its shell, which ignore SIGINT and SIGQUIT, and
   * an ignored signal stays ignored across exec (a program's own `trap ... INT` would never run).
   */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) (void)sigaction(sig, &dfl, NULL); /* SIGKILL/SIGSTOP refuse: fine */
  sigset_t none;
  sigemptyset(&none);
  (void)sigprocmask(SIG_SETMASK, &none, NULL);

  /* execvp searches the PATH of environ, so the new environment is installed first. */
  environ = env;
  execvp(program[0], program);

  /* sh's statuses: 127 when there is nothing to run, 126 when it is there but cannot be run. */
  int e = errno;
  int notFound = e == ENOENT || e == ENOTDIR || e == ELOOP || e == ENAMETOOLONG;
  if (notFound && strchr(program[0], '/') == NULL)
    fprintf(stderr, "kubesvc-enter: exec \"%s\": executable file not found in $PATH\n", program[0]);
  else
    fprintf(stderr, "kubesvc-enter: exec \"%s\": %s\n", program[0], strerror(e));
  return notFound ? 127 : 126;
}
