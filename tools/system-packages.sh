#!/usr/bin/env bash
# tools/system-packages.sh CMD...: installs, from Debian's packages, the package of each
# command given that is missing here, and nothing else:
#   chromium              chromium        (the committee paper, the accessibility tests)
#   pdftotext, pdftoppm   poppler-utils   (the paper's page numbers, the tests read it back)
#   npm                   npm             (the pinned chart scripts and axe-core), only when
#                                         `npm --version` fails: an npm that runs (Node.js's
#                                         own, e.g. NodeSource's) is never replaced
# Checked on every call (no stamp file), so a command removed later is installed again.
# Uses sudo unless root (SUDO overrides: SUDO= never, SUDO=sudo always); waits up to
# APT_LOCK_TIMEOUT seconds (300) for apt's lock; runs `apt-get update` only when an install
# fails because the package lists are stale or absent. A package that cannot be installed
# is named with apt's error and what to run by hand; the exit code is then 1.
# Bash builtins only besides env, sudo and apt-get (tests/test_setup.py runs it on a PATH
# of fake commands).
set -u

if [[ -z ${SUDO+set} ]]; then
  if ((EUID == 0)); then SUDO=; else SUDO=sudo; fi
fi
lock_timeout=${APT_LOCK_TIMEOUT:-300}
me="system-packages"

works() {
  if [[ $1 == npm ]]; then
    npm --version >/dev/null 2>&1
  else
    command -v "$1" >/dev/null 2>&1
  fi
}

package_of() {
  case $1 in
    chromium) pkg=chromium ;;
    pdftotext | pdftoppm) pkg=poppler-utils ;;
    npm) pkg=npm ;;
    *) echo "$me: no Debian package known for the command '$1'" >&2; exit 2 ;;
  esac
}

# the packages to install, in the order their commands were given; each package's commands
packages=()
declare -A needed_by=()
for cmd in "$@"; do
  package_of "$cmd"
  works "$cmd" && continue
  [[ -n ${needed_by[$pkg]+set} ]] || packages+=("$pkg")
  needed_by[$pkg]="${needed_by[$pkg]:+${needed_by[$pkg]}, }$cmd"
done
((${#packages[@]})) || exit 0

by_hand() {
  echo "  Install it by hand (${SUDO:+$SUDO }apt-get install --no-install-recommends $1), or put" \
    "${needed_by[$1]} on PATH some other way, then run make again." >&2
  if [[ $1 == npm ]]; then
    echo "  npm comes with Node.js: when nodejs is not Debian's (NodeSource's conflicts with" \
      "Debian's npm), reinstall that nodejs, which includes its own npm." >&2
  fi
}

# apt's error lines (E:, W:) and unmet dependencies ("nodejs : Conflicts: npm"), indented;
# all of its output when it gave none of these
said() {
  local line shown=
  while IFS= read -r line; do
    if [[ $line == [EW]:* || $line =~ ^\ +[^\ ]+\ :\ [A-Z][A-Za-z-]+: ]]; then
      echo "    $line" >&2
      shown=1
    fi
  done <<<"$1"
  [[ -n $shown ]] || while IFS= read -r line; do echo "    $line" >&2; done <<<"$1"
}

if ! command -v apt-get >/dev/null 2>&1; then
  for pkg in "${packages[@]}"; do
    echo "$me: ${needed_by[$pkg]} missing, and no apt-get here to install Debian's $pkg." >&2
    by_hand "$pkg"
  done
  exit 1
fi

# shellcheck disable=SC2206  # SUDO may be a command with options ("sudo -n")
apt=($SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o "DPkg::Lock::Timeout=$lock_timeout")
stale='Unable to locate package|has no installation candidate|Unable to fetch some archives|Failed to fetch'
updated=
failed=0
for pkg in "${packages[@]}"; do
  echo "$me: installing Debian's $pkg (for ${needed_by[$pkg]}, missing here)"
  out=$("${apt[@]}" install -y -q --no-install-recommends "$pkg" 2>&1)
  rc=$?
  if ((rc != 0)) && [[ -z $updated && $out =~ $stale ]]; then
    echo "$me: apt's package lists are stale or absent: apt-get update, then $pkg again"
    updated=1
    if ! up=$("${apt[@]}" update -q 2>&1); then
      echo "$me: apt-get update failed:" >&2
      said "$up"
    fi
    out=$("${apt[@]}" install -y -q --no-install-recommends "$pkg" 2>&1)
    rc=$?
  fi
  if ((rc != 0)); then
    echo "$me: could not install Debian's $pkg (needed for ${needed_by[$pkg]}); apt-get said:" >&2
    said "$out"
    if [[ $out == *"Could not get lock"* ]]; then
      echo "  Another apt-get or dpkg held apt's lock for more than ${lock_timeout} s" \
        "(APT_LOCK_TIMEOUT): let it finish and run make again." >&2
    fi
    by_hand "$pkg"
    failed=1
    continue
  fi
  for cmd in ${needed_by[$pkg]//,/}; do
    if ! works "$cmd"; then
      echo "$me: installed Debian's $pkg, but $cmd still does not run here." >&2
      by_hand "$pkg"
      failed=1
    fi
  done
done
exit $failed
