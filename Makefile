# SPDX-License-Identifier: GPL-2.0
#
#   make                  subcred.ko for Debian's 6.1 headers, and userspace
#   make KVER=6.12        subcred.ko for Debian's 6.12 headers
#   make KDIR=/path       subcred.ko for any prepared kernel tree
#   make check            every test: userspace, then QEMU on 6.1 and 6.12
#   make check-debug      the guest tests on a KASAN/kmemleak/lockdep kernel
#   make KVER=debug       subcred.ko for that kernel (built the first time)
#   make demo             a guest with a credential in it
#   make fuzz             libFuzzer targets, 10 million inputs each
#   make install          module into /lib/modules/<kver>/updates, depmod
#
# The module is built in build/<kernel>/, a copy of Kbuild, kmod/ and uapi/,
# so that builds for several kernels never share object files.

KVER ?= 6.1
HEADERS_PKG_6.1 := linux-headers-amd64
HEADERS_PKG_6.12 := linux-headers-6.12-amd64

ifeq ($(KVER),debug)
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

userspace:
	$(MAKE) -C userspace

selftests: userspace
	$(MAKE) -C selftests

deps:
	selftests/qemu/deps.sh

kabi:
	@echo $(KABI)

check:
	selftests/check.sh

check-debug:
	selftests/check-debug.sh

demo:
	selftests/demo.sh

fuzz: deps
	$(MAKE) -C userspace/fuzz run

install: module
	$(MAKE) -C $(KDIR) M=$(abspath $(BUILD)) INSTALL_MOD_DIR=updates \
		modules_install
	$(MAKE) -C userspace install

clean:
	rm -rf build
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	$(MAKE) -C userspace/fuzz clean

.PHONY: all module userspace selftests deps kabi check check-debug demo fuzz \
	install clean
