// `wget` for the busybox images. Debian's busybox (1.35) is built without FEATURE_WGET_TIMEOUT but
// keeps `-T` in wget's option string, so `wget -T 2 URL` stores the number through a null pointer
// and dies of SIGSEGV, and `--timeout=2` is an unrecognized option; the Docker busybox image has
// both (the Kubernetes docs use `wget --spider --timeout=1`, CKA practice `wget -qO- --timeout=2`).
// This script takes every form of the option out of the arguments (-T SEC, -TSEC, bundled as in
// -qT2, --timeout=SEC, --timeout SEC and getopt_long's unambiguous prefixes such as --time=SEC) and
// enforces the limit around Debian's wget: when it runs out, wget is ended by SIGALRM, as the real
// one's alarm would fire, and the script prints busybox's text "wget: download timed out" and exits
// 1. Everything else reaches busybox wget unchanged and in order, including the values of options
// that take one (so `-O -T` or `--header -T` are not mistaken for the option). Differences: the
// real -T bounds each connect and each read (DNS excluded), this one bounds the whole run; -T 0
// means no limit in both.

/** Long options of busybox wget that take a value in the next argument when written without '='. */
const LONG_WITH_VALUE = ['output-document', 'output-file', 'directory-prefix', 'proxy', 'user-agent', 'tries', 'header', 'post-data', 'post-file'];

/** Short options of busybox wget that take a value (the rest of the cluster, else the next argument). */
const SHORT_WITH_VALUE = 'OoPYUt';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The script text. `busybox` and `timeout` are absolute paths (coreutils timeout, or busybox's). */
export function wgetScript(busybox: string, timeout: string, timeoutIsBusybox = false): string {
  return `#!${busybox} sh
# kubesvc: busybox wget with -T/--timeout (see src/node/images/wget-script.ts).
bb=${q(busybox)}
t=
pend=0
n=$#
long_value() {
  for o in ${LONG_WITH_VALUE.join(' ')}; do
    case $o in "$1"*) return 0 ;; esac
  done
  return 1
}
while [ "$n" -gt 0 ]; do
  a=$1; shift; n=$((n - 1))
  if [ "$pend" = 1 ]; then set -- "$@" "$a"; pend=0; continue; fi
  case $a in
  --)
    set -- "$@" "$a"
    while [ "$n" -gt 0 ]; do set -- "$@" "$1"; shift; n=$((n - 1)); done ;;
  --?*=*)
    name=\${a%%=*}; name=\${name#--}
    case $name in
    t) set -- "$@" "$a" ;;
    *) case timeout in "$name"*) t=\${a#*=} ;; *) set -- "$@" "$a" ;; esac ;;
    esac ;;
  --?*)
    name=\${a#--}
    case $name in
    t) set -- "$@" "$a" ;;
    *)
      case timeout in
      "$name"*)
        if [ "$n" -gt 0 ]; then t=$1; shift; n=$((n - 1)); else set -- "$@" "$a"; fi ;;
      *)
        set -- "$@" "$a"
        if long_value "$name"; then pend=1; fi ;;
      esac ;;
    esac ;;
  -?*)
    c=\${a#-}; keep=-
    while [ -n "$c" ]; do
      ch=\${c%"\${c#?}"}; c=\${c#?}
      case $ch in
      T)
        if [ -n "$c" ]; then t=$c
        elif [ "$n" -gt 0 ]; then t=$1; shift; n=$((n - 1))
        else keep=\${keep}T
        fi
        c= ;;
      [${SHORT_WITH_VALUE}])
        keep=$keep$ch$c
        if [ -z "$c" ]; then pend=1; fi
        c= ;;
      n) keep=$keep$ch$c; c= ;;
      *) keep=$keep$ch ;;
      esac
    done
    if [ "$keep" != - ]; then set -- "$@" "$keep"; fi ;;
  *) set -- "$@" "$a" ;;
  esac
done
if [ -n "$t" ]; then
  case $t in
  *[!0-9]*|'') echo "wget: invalid number '$t'" >&2; exit 1 ;;
  esac
  v=$t
  while case $v in 0?*) true ;; *) false ;; esac; do v=\${v#0}; done
  if [ \${#v} -gt 10 ] || [ "$v" -gt 2147483647 ]; then
    echo "wget: number $t is not in 0..2147483647 range" >&2; exit 1
  fi
  t=$v
fi
if [ -z "$t" ] || [ "$t" = 0 ]; then exec "$bb" wget "$@"; fi
${timeoutIsBusybox ? `"$bb" timeout -s ALRM "$t" "$bb" wget "$@"` : `${q(timeout)} --foreground -s ALRM "$t" "$bb" wget "$@"`}
rc=$?
case $rc in
124|142) echo 'wget: download timed out' >&2; exit 1 ;;
esac
exit $rc
`;
}
