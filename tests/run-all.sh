#!/bin/sh
# make test: the docs and install checks, unit suites, integration on the
# real binary, then both again under ASan/UBSan, then the fuzz harnesses
# 10 s each.
# Usage: run-all.sh BUILD_DIR ASAN_BUILD_DIR [FUZZ_BUILD_DIR]
# Ends with one line "N passed, N failed" over all stages.
set -u
build=$1
asan=$2
fuzz=${3:-}
pass=0
fail=0
stage() {
	name=$1
	shift
	echo "=== $name"
	if "$@"; then
		pass=$((pass + 1))
		echo "=== $name: PASS"
	else
		fail=$((fail + 1))
		echo "=== $name: FAIL"
	fi
}
stage "docs" python3 tests/tools/check_docs.py
stage "install" sh tests/tools/check_install.sh "$build"
stage "unit" meson test -C "$build" --suite unit --print-errorlogs -v
stage "integration" python3 tests/integration/run.py --build "$build"
stage "system" python3 tests/system/run.py --build "$build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
stage "unit (asan+ubsan)" meson test -C "$asan" --suite unit --print-errorlogs -v
stage "integration (asan+ubsan)" python3 tests/integration/run.py --build "$asan"
stage "system (asan+ubsan)" python3 tests/system/run.py --build "$asan"
[ -n "$fuzz" ] && stage "fuzz (10 s each)" sh tests/fuzz/run.sh "$fuzz" 10
echo "stages: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
