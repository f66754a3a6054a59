#!/bin/sh
# make test's "install" stage: `meson install` BUILD_DIR into a
# temporary DESTDIR, then check that every file is in its FHS place with
# its mode, that nothing else is installed (no test, perf or fuzz
# binary), and that the paths the unit runs and reads are installed.
# Places follow the build dir's own prefix (the Makefile configures
# /usr, /etc; an older build dir may still say /usr/local).
# Usage: check_install.sh BUILD_DIR
set -eu
build=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dsbc-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! meson install -C "$build" --destdir "$tmp/root" >"$tmp/log" 2>&1; then
	cat "$tmp/log"
	echo "install: meson install failed"
	exit 1
fi
# prefix, then each directory option made absolute, one per line
meson introspect --buildoptions "$build" | python3 -c '
import json, os, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
p = o["prefix"]
print(p)
for k in ("bindir", "sysconfdir", "datadir", "systemdunitdir"):
    print(os.path.join(p, o[k]))' >"$tmp/dirs"
{
	read -r prefix
	read -r bindir
	read -r sysconfdir
	read -r datadir
	read -r unitdir
} <"$tmp/dirs"
root=$tmp/root
docdir=$datadir/doc/dsbc
fail=0
n=0
: >"$tmp/expected"
want() { # want MODE PATH
	n=$((n + 1))
	echo "$root$2" >>"$tmp/expected"
	if [ ! -f "$root$2" ]; then
		echo "install: missing $2"
		fail=1
	elif [ "$(stat -c %a "$root$2")" != "$1" ]; then
		echo "install: $2 has mode $(stat -c %a "$root$2"), not $1"
		fail=1
	fi
}
want 755 "$bindir/dsbc"
want 755 "$bindir/dsbc-gen"
[ -f "$src/app/dsbc-ctl/dsbc-ctl" ] && want 755 "$bindir/dsbc-ctl"
want 644 "$sysconfdir/dsbc/dsbc.conf"
want 644 "$sysconfdir/default/dsbc"
for u in "$src"/dist/systemd/*.service; do
	want 644 "$unitdir/${u##*/}"
done
want 755 "$prefix/lib/dsbc/dsbc-setup"
want 644 "$prefix/lib/sysusers.d/dsbc.conf"
want 644 "$prefix/lib/tmpfiles.d/dsbc.conf"
want 644 "$docdir/README.md"
for d in "$src"/docs/*.md; do
	want 644 "$docdir/${d##*/}"
done
for d in "$src"/docs/grafana/*.json; do
	[ -f "$d" ] && want 644 "$docdir/grafana/${d##*/}"
done
find "$root" -type f | sort >"$tmp/installed"
sort -o "$tmp/expected" "$tmp/expected"
for f in $(comm -23 "$tmp/installed" "$tmp/expected"); do
	echo "install: unexpected ${f#"$root"}"
	fail=1
done
# The unit names /usr/... and /etc/... paths: map them to this build's
# prefix and sysconfdir and require the files (executables for Exec*)
unit=$root$unitdir/dsbc.service
paths=0
if [ -f "$unit" ]; then
	{
		sed -n 's/^ExecStart\(Pre\)\{0,1\}=[-+@:!]*\([^ ]*\).*/x \2/p' "$unit"
		sed -n 's/^ExecStart=.* -f \([^ ]*\).*/f \1/p' "$unit"
		sed -n 's/^EnvironmentFile=-\{0,1\}\(.*\)/f \1/p' "$unit"
		sed -n 's/^Documentation=file:\(.*\)/f \1/p' "$unit"
	} >"$tmp/paths"
	while read -r kind p; do
		case $p in
		/usr/*) q=$prefix${p#/usr} ;;
		/etc/*) q=$sysconfdir${p#/etc} ;;
		*) q=$p ;;
		esac
		paths=$((paths + 1))
		if [ "$kind" = x ] && [ ! -x "$root$q" ]; then
			echo "install: the unit runs $p, not installed at $q"
			fail=1
		elif [ ! -f "$root$q" ]; then
			echo "install: the unit names $p, not installed at $q"
			fail=1
		fi
	done <"$tmp/paths"
	[ "$paths" -ge 4 ] || { echo "install: unit paths not found"; fail=1; }
fi
if [ "$fail" = 0 ]; then
	echo "install: $n files in FHS places under prefix $prefix, the unit's $paths paths installed"
else
	echo "install: $n files checked under prefix $prefix: not as above"
fi
exit $fail
