#!/usr/bin/env bash
# Writes a Mosquitto-syntax ACL file of N rules (default 1,000) to standard output, for measuring what
# authorization costs on the publish path (CAIRN_ACL=<file> bench/matrix.sh):
#
#   bench/make-acl.sh 1000 > /tmp/acl-1000 && CAIRN_ACL=/tmp/acl-1000 CELLS="pair fanin" BROKERS=cairn bench/matrix.sh
#
# The rules apply to the load tool's clients, which connect without a user name (the anonymous section): exact
# topics next to the load tool's, single-level wildcards, client-id patterns, and last the one rule that lets the
# load tool's topics through, so every check walks a trie holding all the others. Rule kinds, of N: 40% exact
# topics, 30% '+' filters, 20% '%c' patterns, 10% '#' filters (deny rules among them), then 'topic readwrite bench/#'.
set -euo pipefail
n=${1:-1000}
(( n >= 10 )) || { echo "make-acl: at least 10 rules" >&2; exit 2; }
echo "# $n rules for anonymous clients, written by bench/make-acl.sh"
for ((i = 0; i < n * 4 / 10; i++)); do echo "topic readwrite bench/other/$i"; done
for ((i = 0; i < n * 3 / 10; i++)); do echo "topic read sensors/$i/+/temperature"; done
for ((i = 0; i < n * 2 / 10; i++)); do echo "pattern readwrite clients/%c/$i/#"; done
rest=$((n - n * 4 / 10 - n * 3 / 10 - n * 2 / 10 - 1))
for ((i = 0; i < rest; i++)); do
  if ((i % 2)); then echo "topic deny secret/$i/#"; else echo "topic read archive/$i/#"; fi
done
echo "topic readwrite bench/#"
