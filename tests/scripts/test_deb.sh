#!/usr/bin/env bash
# The Debian package (debian/, docs/install.md): built from a copy of the source with
# `dpkg-buildpackage -b -us -uc`, lintian without errors, then installed and removed on
# this machine: /usr/bin/pentrap runs, `man pentrap` and its pages are there, the unit is
# installed and neither enabled nor started; removal takes every file away again.
# The system-wide part holds `flock /tmp/pentrap-dpkg.lock` (several engineers' suites
# share this machine) and removes what it installed. Needs root: skipped (77) otherwise,
# failed under CI. Prints how long each step took.
source "$(dirname "$0")/lib.sh"
need_skip() { echo "test_deb: $*"; [ "${CI:-}" = true ] && exit 1 || exit 77; }
[ "$(id -u)" = 0 ] || need_skip "needs root to install the package"
for tool in dpkg-buildpackage dh lintian flock man; do
  command -v $tool > /dev/null || need_skip "needs $tool (scripts/install-deps.sh --test)"
done
t0=$SECONDS
# A copy of the source (what git tracks, or everything but builds): the package is
# built out of the tree, so nothing lands beside the checkout.
mkdir -p "$WORK/src/pentrap"
if git -C "$SRC" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
  (cd "$SRC" && git ls-files -co --exclude-standard | grep -vE '^build' | tar -cf - -T -) | tar -xf - -C "$WORK/src/pentrap"
else
  (cd "$SRC" && tar --exclude='./build*' -cf - .) | tar -xf - -C "$WORK/src/pentrap"
fi
(cd "$WORK/src/pentrap" && DEB_BUILD_OPTIONS="parallel=$(nproc) nocheck noddebs" dpkg-buildpackage -b -us -uc) > "$WORK/build.log" 2>&1 \
  && pass || { fail "dpkg-buildpackage"; tail -30 "$WORK/build.log"; finish; exit 1; }
DEB=$(ls "$WORK"/src/pentrap_*.deb)
t_build=$((SECONDS - t0))
lintian "$WORK"/src/pentrap_*.changes > "$WORK/lintian.out" 2>&1
if grep -q '^E: ' "$WORK/lintian.out"; then fail "lintian errors"; grep '^E: ' "$WORK/lintian.out"; else pass; fi
grep '^W: ' "$WORK/lintian.out" | sed 's/^/  lintian: /'
dpkg-deb -c "$DEB" > "$WORK/contents"
grep -q ' ./usr/share/man/man8/pentrap.8.gz$' "$WORK/contents" && pass || fail "the package has no pentrap(8)"

t1=$SECONDS
exec 9> /tmp/pentrap-dpkg.lock
flock 9
if dpkg-query -W -f='${Status}' pentrap 2>/dev/null | grep -q 'install ok installed'; then
  flock -u 9
  need_skip "a pentrap package is already installed on this machine (not by this test): not touching it"
fi
dpkg -i "$DEB" > "$WORK/install.log" 2>&1 && pass || { fail "dpkg -i"; cat "$WORK/install.log"; }
/usr/bin/pentrap version | grep -q '^pentrap 0.1.0$' && pass || fail "the installed pentrap does not run"
MANPAGER=cat MANWIDTH=80 man pentrap > "$WORK/man.txt" 2>&1
grep -q 'pen register and trap and trace' "$WORK/man.txt" && pass || fail "man pentrap"
man -w pentrap-run pentrap-query pentrap-report pentrap-verify pentrap-order.5 pentrap-records.5 > /dev/null 2>&1 \
  && pass || fail "a command's page is missing"
/usr/bin/pentrap order check /usr/share/doc/pentrap/examples/order.yaml > /dev/null && pass || fail "order check"
[ -f /usr/share/bash-completion/completions/pentrap ] && [ -f /usr/share/pentrap/sigs/builtin.yaml ] && pass || fail "completion or definitions"
grep -q '^ExecStart=/usr/bin/pentrap run ' /lib/systemd/system/pentrap.service && pass || fail "the unit"
if command -v systemctl > /dev/null && [ -d /run/systemd/system ]; then
  systemctl is-enabled pentrap > /dev/null 2>&1 && fail "the unit was enabled" || pass
fi
files=$(dpkg -L pentrap | while read -r f; do [ -f "$f" ] && echo "$f"; done)
dpkg --purge pentrap > "$WORK/remove.log" 2>&1 && pass || { fail "dpkg --purge"; cat "$WORK/remove.log"; }
left=$(for f in $files; do [ -e "$f" ] && echo "$f"; done)
[ -z "$left" ] && pass || { fail "files left after removal"; echo "$left"; }
dpkg-query -W -f='${Status}' pentrap 2>/dev/null | grep -q 'installed' && fail "still installed" || pass
flock -u 9
echo "test_deb: build ${t_build} s, lintian, install and removal $((SECONDS - t1)) s"
finish
