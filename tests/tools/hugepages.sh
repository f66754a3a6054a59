#!/bin/sh
# Reserve 2 MiB hugepages and mount hugetlbfs; print the EAL memory options
# to use on stdout ("" with hugepages, "--no-huge -m N" without) and say why
# on stderr.  Usage: hugepages.sh [PAGES]   (default 512 = 1 GiB)
pages=${1:-512}
fallback() {
	echo "hugepages: $1; falling back to --no-huge (slower, no dpdk-dumpcap)" >&2
	echo "--no-huge -m 1024"
	exit 0
}
[ "$(id -u)" = 0 ] || fallback "not root, cannot reserve hugepages"
have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
if [ "$have" -lt "$pages" ]; then
	echo "$pages" > /proc/sys/vm/nr_hugepages 2>/dev/null ||
		fallback "cannot write /proc/sys/vm/nr_hugepages"
	have=$(cat /proc/sys/vm/nr_hugepages)
fi
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "${free:-0}" -ge 64 ] || fallback "only ${free:-0} free hugepages"
mkdir -p /dev/hugepages
if ! grep -q "^[^ ]* /dev/hugepages hugetlbfs" /proc/mounts; then
	mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null ||
		fallback "cannot mount hugetlbfs on /dev/hugepages"
fi
echo "hugepages: $have x 2 MiB reserved, $free free, hugetlbfs on /dev/hugepages" >&2
echo ""
