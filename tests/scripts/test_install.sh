#!/usr/bin/env bash
# Installed like tcpdump (docs/install.md): `cmake --install` of this build into a scratch
# prefix gives a working pentrap, `man pentrap` and a page per command, pentrap-order(5)
# and pentrap-records(5), the built-in definitions, the systemd unit naming the installed
# binary, bash completion; every manual page is clean roff, names only pages that exist,
# and lists every long option its command's --help lists.
source "$(dirname "$0")/lib.sh"
BUILD=$(dirname "$PENTRAP")
P=$WORK/prefix
for tool in groff man; do
  command -v $tool > /dev/null || { echo "test_install: needs $tool (scripts/install-deps.sh --test)"; [ "${CI:-}" = true ] && exit 1 || exit 77; }
done
cmake --install "$BUILD" --prefix "$P" > "$WORK/install.log" 2>&1 || { fail "cmake --install"; cat "$WORK/install.log"; finish; exit 1; }
"$P/bin/pentrap" version | grep -q '^pentrap ' && pass || fail "the installed pentrap does not run"
MANPAGER=cat MANWIDTH=80 MANPATH="$P/share/man" man pentrap > "$WORK/man.txt" 2>&1 && grep -q 'pen register and trap and trace' "$WORK/man.txt" \
  && pass || { fail "man pentrap"; head "$WORK/man.txt"; }
for page in pentrap.8 pentrap-order.5 pentrap-records.5; do
  [ -f "$P/share/man/man${page##*.}/$page" ] && pass || fail "$page not installed"
done
# every command 'pentrap --help' lists has its page, is named in pentrap(8), and completes
commands=$("$P/bin/pentrap" --help | sed -n '/^commands:/,/^$/p' | grep -oE '^  [a-z]+' | tr -d ' ')
[ "$(echo "$commands" | wc -l)" -ge 12 ] || fail "the commands of 'pentrap --help': $commands"
for c in $commands; do
  [ "$c" = version ] && continue
  [ -f "$P/share/man/man8/pentrap-$c.8" ] && pass || fail "pentrap-$c.8 not installed ('pentrap $c' has no page)"
  grep -qF ".BR pentrap\\-$c (8)" "$P/share/man/man8/pentrap.8" && pass || fail "pentrap.8 does not name pentrap-$c(8)"
  got=$(PATH="$P/bin:$PATH" bash -c "source '$P/share/bash-completion/completions/pentrap'
    COMP_WORDS=(pentrap $c); COMP_CWORD=1; _pentrap; echo \${COMPREPLY[*]}")
  [ "$got" = "$c" ] && pass || fail "bash completion of the command $c gives '$got'"
done
# every page: clean roff, its SEE ALSO pages exist (or are the system's), its command's options
for f in "$P"/share/man/man*/pentrap*; do
  name=$(basename "$f")
  out=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$f" 2>&1)
  [ -z "$out" ] && pass || fail "$name: groff: $out"
  for ref in $(grep -oE 'pentrap\\-[a-z]+ \([1-8]\)|^\.BR pentrap \([1-8]\)' "$f" | sed 's/\\-/-/; s/^\.BR //; s/ (\(.\))/.\1/'); do
    [ -f "$P/share/man/man${ref##*.}/$ref" ] || fail "$name names $ref, which is not installed"
  done
  cmd=${name#pentrap-}; cmd=${cmd%.8}
  case "$name" in pentrap-*.8) ;; *) continue ;; esac
  [ "$cmd" = order ] && continue   # 'order check' has no options but --help
  for opt in $("$P/bin/pentrap" "$cmd" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
    [ "$opt" = --help ] && continue
    grep -q -- "$(printf '%s' "$opt" | sed 's/-/\\\\-/g')" "$f" || fail "$name: option $opt of 'pentrap $cmd --help' is missing"
  done
done
cmp -s "$P/share/pentrap/sigs/builtin.yaml" "$SRC/sigs/builtin.yaml" && "$P/bin/pentrap" sigs check "$P/share/pentrap/sigs/builtin.yaml" > /dev/null \
  && pass || fail "the built-in definitions"
grep -q "^ExecStart=$P/bin/pentrap run " "$P/lib/systemd/system/pentrap.service" && pass || fail "the unit names the installed binary"
"$P/bin/pentrap" order check "$P/share/doc/pentrap/examples/order.yaml" > "$WORK/check.out" && grep -q ': ok: order SAMPLE-2011-0001 ' "$WORK/check.out" \
  && pass || fail "order check of the installed example"
# bash completion: commands, and a command's options from its --help
got=$(PATH="$P/bin:$PATH" bash -c "source '$P/share/bash-completion/completions/pentrap'
  COMP_WORDS=(pentrap qu); COMP_CWORD=1; _pentrap; echo \${COMPREPLY[*]}
  COMP_WORDS=(pentrap run --ag); COMP_CWORD=2; _pentrap; echo \${COMPREPLY[*]}
  COMP_WORDS=(pentrap report --format ''); COMP_CWORD=3; _pentrap; echo \${COMPREPLY[*]}")
[ "$got" = "query
--again
html dot csv json" ] && pass || { fail "bash completion"; echo "$got"; }
finish
