# dsbc: two commands on a fresh Debian 12 machine, as root:
#   make demo   install what is missing, build, a baresip call through dsbc
#   make test   install what is missing, build, run every test suite
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 600
MESON_OPTS ?=

.PHONY: all deps build build-asan build-fuzz hugepages test test-unit flood \
	test-integration test-asan fuzz demo perf soak clean

all: build

deps:
	@sh tests/tools/deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD_ASAN)/build.ninja:
	meson setup $(BUILD_ASAN) -Dbuildtype=debug \
		-Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false $(MESON_OPTS)

build-asan: deps $(BUILD_ASAN)/build.ninja
	ninja -C $(BUILD_ASAN)

# libFuzzer harnesses (tests/fuzz): clang, ASan+UBSan, the libraries
# instrumented for coverage
$(BUILD_FUZZ)/build.ninja:
	CC=clang meson setup $(BUILD_FUZZ) -Dfuzz=true \
		-Dbuildtype=debugoptimized -Db_lto=false -Db_lundef=false \
		-Db_sanitize=address,undefined \
		-Dc_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all" \
		$(MESON_OPTS)

build-fuzz: deps $(BUILD_FUZZ)/build.ninja
	ninja -C $(BUILD_FUZZ) fuzz

# Every harness for FUZZ_SECONDS (make test runs each 10 s)
fuzz: build-fuzz
	@sh tests/fuzz/run.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

hugepages:
	@sh tests/tools/hugepages.sh >/dev/null

# Unit suites (CUnit), then the real binary on net_pcap vdevs, then both
# again under AddressSanitizer + UBSan, then every fuzz harness briefly.
test: build build-asan build-fuzz
	@DSBC_EAL_MEM="$$(sh tests/tools/hugepages.sh)" sh tests/run-all.sh \
		$(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)

test-unit: build
	meson test -C $(BUILD) --suite unit --print-errorlogs

test-integration: build
	@DSBC_EAL_MEM="$$(sh tests/tools/hugepages.sh)" \
		python3 tests/integration/run.py --build $(BUILD)

# The long system tests (minutes each), by hand; their runs are recorded
# in docs/performance.md.
soak: build
	@DSBC_EAL_MEM="$$(sh tests/tools/hugepages.sh)" \
		python3 tests/system/soak.py --build $(BUILD)

demo: build
	@DSBC_EAL_MEM="$$(sh tests/tools/hugepages.sh)" sh tests/demo/demo.sh $(BUILD)

perf: build
	@sh tests/tools/deps.sh perf
	@python3 perf/b2bua --build $(BUILD)
	@DSBC_EAL_MEM="$$(sh tests/tools/hugepages.sh 2048)" python3 perf/relay --build $(BUILD)
	@DSBC_EAL_MEM="$$(sh tests/tools/hugepages.sh)" python3 perf/vs-rtpengine --build $(BUILD)
	@DSBC_EAL_MEM="$$(sh tests/tools/hugepages.sh)" python3 perf/srtp --build $(BUILD)
	@python3 perf/tls --build $(BUILD)
	@python3 perf/stir --build $(BUILD)
	@DSBC_EAL_MEM="$$(sh tests/tools/hugepages.sh)" python3 perf/flood --build $(BUILD)

# Overload control under four SIP floods, 60 s each (perf/flood); make
# test runs a 5 s version of each.
flood: build
	@DSBC_EAL_MEM="$$(sh tests/tools/hugepages.sh)" python3 perf/flood --build $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) out
