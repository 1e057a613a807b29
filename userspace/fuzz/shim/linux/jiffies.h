/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz_update shim: everything is in kshim.h */
#include "../kshim.h"
