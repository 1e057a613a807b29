#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Writes the seed corpus of fuzz_update into DIR (make corpus-update).
# An input is a configuration octet (bits 0-1 max_age 0/60/3600/86400 s,
# bits 2-3 pending_timeout 600/1/30/86400 s) and then operations, one
# octet each plus their arguments (enum op in fuzz_update.c):
#   00 r SEND (r bit 7: lost)   01 RECV   02 PERSIST   03 CRASH   04 a PERSISTED_BAD
#   05 n .. RAW 06 s h p [x] MUTATE  07 i REPLAY_DEV  08 a AKA  09 t TIME
#   0a EXPORT   0b a IMPORT  0c DELETE  0d a FAULT  0e SWITCH
#   0f i REPLAY_NET
# The genuine messages are computed by the network model at run time, so
# the seeds stay valid when keys or the model change.
set -eu
dir=${1:?usage: gen_update_corpus.sh DIR}
mkdir -p "$dir"
rm -f "$dir"/*
seed() { printf "$(printf '\\%03o' $(echo "$2" | sed 's/\([0-9a-f][0-9a-f]\)/0x\1 /g'))" > "$dir/$1"; }
UPDATE="0001 02 01 0000 02 01"
seed update          "00 $UPDATE 0800"
seed update-twice    "00 $UPDATE $UPDATE 0800"
seed sync            "00 0001 02 090a 0f00 01 0001 02 01"
seed reject-no-txn   "00 0001 02 01 090a 0000 01"
seed reject-mac      "00 0001 0600005003 01"
seed reject-tag      "00 0001 0600008001 01"
seed request         "01 0907 01 0001 02 01 0000 02 01"
seed export-delete   "00 $UPDATE 0a 02 0c 0b00 0800"
seed crash-commit    "00 0001 02 01 0000 03 0c 0b00"
seed persisted-bad   "00 0001 0401 0400 02 01 0000 0403 02 01"
seed ack-lost        "00 0001 02 01 0000 02 0000 01"
seed raw             "00 0508 5343010100891400"
seed faults          "00 0d02 0001 0d01 0001 02 01 0d04 0000 02 01"
seed two-creds       "00 0e $UPDATE 0e 0001 06000210 01 01"
seed bad-blobs       "00 0001 0b02 0b03 0b04 0e 0001 0e 0b03"
seed aka             "00 0801 0800 0801"
seed replay-dev      "00 0001 02 01 0000 02 0700 0701 01"
seed expire-busy     "04 0001 02 01 0000 0910 0001 02"
seed confirm-lost    "00 0001 02 01 0080 0601003003 0601012e 0f01 02 01"
seed import-older    "00 $UPDATE 0a 0b01 0b09 0b11 0800"
seed import-commit   "00 0001 02 01 0000 03 0b00 0800"
seed reject-new-key  "00 0001 02 01 0000 02 0601001e03 01 0800"
seed request-new-key "01 0001 02 01 0000 02 0907 01 0800"
