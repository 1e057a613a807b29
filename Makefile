# SPDX-License-Identifier: GPL-2.0
#
#   make                  subcred.ko for Debian's 6.1 headers, and userspace
#   make KVER=6.12        subcred.ko for Debian's 6.12 headers
#   make KVER=5.10        subcred.ko for Debian 11's 5.10 (fetched the first time)
#   make KDIR=/path       subcred.ko for any prepared kernel tree
#   make check            every test: userspace, then QEMU on 6.1, 6.12 and 5.10
#   make check-debug      the guest tests on a KASAN/kmemleak/lockdep kernel
#   make bench            benchmarks in a 6.12 guest (Documentation/performance.md)
#   make KVER=debug       subcred.ko for that kernel (built the first time)
#   make demo             a guest with a credential in it
#   make fuzz             libFuzzer targets, 10 million inputs each
#   make install          module into /lib/modules/<kver>/updates, depmod
#   make intree-patch KSRC=/path/to/linux   build/subcred-intree.patch
#   make check-intree     in-tree =y and =m kernels built and booted
#   make ARCH=arm64       subcred.ko for Debian's arm64 6.12 kernel (KVER=6.1
#                         too) and userspace, cross-built: build/<kernel>/ and
#                         build/arm64/ (links to the sources, own programs)
#   make check ARCH=arm64 the guest tests in qemu-system-aarch64 only
#
# The module is built in build/<kernel>/, a copy of Kbuild, kmod/ and uapi/,
# so that builds for several kernels never share object files.

ifeq ($(ARCH),arm64)
KVER ?= 6.12
endif
KVER ?= 6.1
HEADERS_PKG_6.1 := linux-headers-amd64
HEADERS_PKG_6.12 := linux-headers-6.12-amd64

ifeq ($(ARCH),arm64)
# Debian's arm64 kernel and headers, unpacked the first time (kernel.sh).
ARM64_KERNEL := $(shell selftests/qemu/kernel.sh --arch arm64 $(KVER))
KABI := $(patsubst KVER=%,%,$(filter KVER=%,$(ARM64_KERNEL)))
KDIR ?= $(patsubst KDIR=%,%,$(filter KDIR=%,$(ARM64_KERNEL)))
else ifeq ($(KVER),5.10)
# Debian 11's 5.10 kernel and headers, fetched the first time (kernel.sh).
OLD_KERNEL := $(shell selftests/qemu/kernel.sh 5.10)
KABI := $(patsubst KVER=%,%,$(filter KVER=%,$(OLD_KERNEL)))
KDIR ?= $(patsubst KDIR=%,%,$(filter KDIR=%,$(OLD_KERNEL)))
else ifeq ($(KVER),debug)
# The debug guest kernel, built from linux-source-6.12 the first time
# (selftests/qemu/debug-kernel.sh, 15 minutes or more).
DEBUG_KERNEL := $(shell selftests/qemu/kernel.sh debug)
KABI := $(patsubst KVER=%,%,$(filter KVER=%,$(DEBUG_KERNEL)))
KDIR ?= $(patsubst KDIR=%,%,$(filter KDIR=%,$(DEBUG_KERNEL)))
else ifneq ($(HEADERS_PKG_$(KVER)),)
# A Debian series: the ABI is what the headers meta package depends on now.
KABI := $(shell dpkg-query -W -f='$${Depends}' $(HEADERS_PKG_$(KVER)) \
	2>/dev/null | grep -o 'linux-headers-[^ ,]*' | head -n1 | \
	sed 's/^linux-headers-//')
else
KABI := $(KVER)
endif
KDIR ?= /lib/modules/$(KABI)/build
BUILD := build/$(patsubst linux-headers-%,%,$(notdir $(realpath $(KDIR))))
MODULE := $(BUILD)/subcred.ko

all: module userspace

module:
	@test -d "$(KDIR)" || { echo "no kernel tree at '$(KDIR)': install" \
		"the headers (make deps) or give KDIR=" >&2; exit 1; }
	@mkdir -p $(BUILD)
	@cp -a Kbuild kmod uapi $(BUILD)/
	$(MAKE) -C $(KDIR) M=$(abspath $(BUILD)) modules
	@echo "built $(MODULE)"

ifeq ($(ARCH),arm64)
# Cross-built in build/arm64/, a tree of links to the sources (shadow.sh).
CROSS_MAKE := PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
	$(MAKE) CC=aarch64-linux-gnu-gcc -C build/arm64

userspace:
	selftests/qemu/shadow.sh build/arm64
	$(CROSS_MAKE)/userspace
	$(CROSS_MAKE)/userspace/hn subcred-hn

selftests: userspace
	$(CROSS_MAKE)/selftests
else
userspace:
	$(MAKE) -C userspace

# The guest tests run subcred-hn, the network side, beside the device.
selftests: userspace
	$(MAKE) -C userspace/hn subcred-hn
	$(MAKE) -C selftests
endif

deps:
	selftests/qemu/deps.sh $(filter arm64,$(ARCH))

kabi:
	@echo $(KABI)

kdir:
	@echo $(KDIR)

# ARCH is for this Makefile only: check.sh builds for every architecture.
check:
	env -u ARCH -u MAKEFLAGS -u MFLAGS selftests/check.sh $(filter arm64,$(ARCH))

check-debug:
	selftests/check-debug.sh

# Not part of check: about an hour under TCG (bench/run.sh).
bench:
	bench/run.sh

demo:
	selftests/demo.sh

fuzz: deps
	$(MAKE) -C userspace/fuzz run

# depmod ourselves: modules_install skips it without a System.map, which
# Debian's headers do not have.
install: module
	$(MAKE) -C $(KDIR) M=$(abspath $(BUILD)) INSTALL_MOD_DIR=updates \
		modules_install
	depmod -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) \
		$(shell cat $(KDIR)/include/config/kernel.release)
	$(MAKE) -C userspace install

# The in-tree drop-in as a patch against the kernel tree KSRC.
intree-patch:
	@test -n "$(KSRC)" || { echo "give KSRC=/path/to/linux" >&2; exit 1; }
	@mkdir -p build
	scripts/intree.sh patch $(KSRC) > build/subcred-intree.patch.tmp || \
		{ rm -f build/subcred-intree.patch.tmp; exit 1; }
	@mv build/subcred-intree.patch.tmp build/subcred-intree.patch
	@echo "wrote build/subcred-intree.patch"

check-intree:
	selftests/intree.sh

clean:
	rm -rf build
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	$(MAKE) -C bench clean
	$(MAKE) -C userspace/fuzz clean

.PHONY: all module userspace selftests deps kabi check check-debug demo fuzz \
	install intree-patch check-intree clean
.PHONY: bench
