# dsbc: two commands on a fresh Debian 12 machine, as root:
#   make demo   install what is missing, build, a baresip call through dsbc
#   make test   install what is missing, build, run every test suite
# and to put it on a machine (docs/operations.md, "Install"):
#   make install   build, then install in FHS places (DESTDIR=dir to stage)
#   make deb       build the Debian package into out/deb/
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 600
MESON_OPTS ?=
# FHS places for make install, given to $(BUILD) (the tests run binaries
# from build dirs, so only the installed layout depends on them)
FHS_OPTS = --prefix=/usr --sysconfdir=/etc --localstatedir=/var

.PHONY: all deps build build-asan build-fuzz hugepages test test-unit flood \
	test-integration test-asan fuzz demo perf soak install deb clean

all: build

deps:
	@sh tests/tools/deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(FHS_OPTS) $(MESON_OPTS)

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

# A build dir set up before the Makefile passed FHS_OPTS (prefix still
# meson's /usr/local) is moved to them first.  /etc/dsbc/dsbc.conf is
# overwritten: only the package (make deb) keeps a changed conffile.
install: build
	@if [ "$$(meson introspect --buildoptions $(BUILD) | python3 -c \
		'import json, sys; print(*[o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"])')" = /usr/local ]; then \
		echo "meson configure $(BUILD) $(FHS_OPTS)"; \
		meson configure $(BUILD) $(FHS_OPTS) && ninja -C $(BUILD); fi
	meson install -C $(BUILD) $(if $(DESTDIR),--destdir $(abspath $(DESTDIR)))

# out/deb/dsbc_<version>_<arch>.deb, built from a copy of the tree
deb:
	@sh tests/tools/deps.sh deb
	@sh dist/deb.sh out/deb

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) out
