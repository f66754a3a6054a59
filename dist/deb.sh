#!/bin/sh
# make deb: build the Debian package (debian/) from a copy of the tree in
# OUT/src, so the checkout gets no obj-* dir or debian/ build products;
# dpkg-buildpackage writes the .deb next to the copy, in OUT.
# Usage: deb.sh OUT_DIR   (run from anywhere; needs deps.sh deb first)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
rm -rf "$out/src" "$out"/dsbc*
mkdir "$out/src"
# The tracked and the new files of a git checkout (not build dirs or
# out/, which .gitignore names); without git, the tree less those
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$src" ls-files --cached --others --exclude-standard |
		while IFS= read -r f; do
			[ -f "$src/$f" ] && printf '%s\n' "$f"
		done | tar -C "$src" -T - -cf - | tar -C "$out/src" -xf -
else
	tar -C "$src" --exclude=./.git --exclude='./build*' --exclude=./out \
		--exclude='./obj-*' -cf - . | tar -C "$out/src" -xf -
fi
echo "deb: dpkg-buildpackage in $out/src (log: $out/build.log)"
if ! (cd "$out/src" && nice dpkg-buildpackage -us -uc -b -J"$(nproc)") \
	>"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log"
	echo "deb: dpkg-buildpackage failed, the tree is in $out/src"
	exit 1
fi
rm -rf "$out/src"
for d in "$out"/dsbc_*.deb; do
	echo "deb: $d"
done
