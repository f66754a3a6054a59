#!/bin/sh
# Run the libFuzzer harnesses: each for SECONDS, over its seed corpus in
# tests/fuzz/corpus/<name> (read only; what it finds new goes to
# out/fuzz/<name>/new), under ASan and UBSan (any report aborts).  Prints
# one line per harness, "fuzz <name>: execs=<n> cov=<edges> ft=<features>
# corpus=<inputs> findings=<n>", and fails when any harness found one:
# the input is then out/fuzz/<name>/crash-* (keep it in the corpus once
# fixed, as a regression input).
# Usage: run.sh BUILD_DIR SECONDS [NAME...]
set -u
build=$1
secs=$2
shift 2
here=$(dirname "$0")
names=${*:-$(cd "$here" && ls fuzz_*.c | sed 's/\.c$//')}
fail=0
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for n in $names; do
	exe=$build/tests/fuzz/$n
	out=out/fuzz/$n
	mkdir -p "$out/new" "$here/corpus/$n"
	rm -f "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*
	"$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=16384 -print_final_stats=1 -artifact_prefix="$out/" \
		"$out/new" "$here/corpus/$n" >"$out/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/log")
	last=$(grep -E '^#[0-9]+.*cov: ' "$out/log" | tail -1)
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
	found=$(ls "$out" | grep -c -E '^(crash|leak|timeout|oom)-')
	echo "fuzz $n: execs=${execs:-0} cov=${cov:-0} ft=${ft:-0}" \
	     "corpus=${corp:-0} findings=$found"
	if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
		fail=1
		grep -m 5 -E 'ERROR|runtime error|SUMMARY' "$out/log"
	fi
done
exit $fail
