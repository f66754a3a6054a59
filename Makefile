# dsbc: two commands on a fresh Debian 12 machine, as root:
#   make demo   install what is missing, build, a baresip call through dsbc
#   make test   install what is missing, build, run every test suite
BUILD      ?= build
BUILD_ASAN ?= build-asan
MESON_OPTS ?=

.PHONY: all deps build build-asan hugepages test test-unit test-integration \
	test-asan demo perf soak clean

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

hugepages:
	@sh tests/tools/hugepages.sh >/dev/null

# Unit suites (CUnit), then the real binary on net_pcap vdevs, then both
# again under AddressSanitizer + UBSan.
test: build build-asan
	@DSBC_EAL_MEM="$$(sh tests/tools/hugepages.sh)" sh tests/run-all.sh \
		$(BUILD) $(BUILD_ASAN)

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

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) out
