#!/usr/bin/env bash
# Installs everything tcpconform needs on a Debian machine, idempotently: Debian packages
# (only the missing ones), npm dependencies (raw-socket's native build included) and the
# static target agent. Needs root for apt-get; a machine that already has it all needs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=${1:-}
say() { [ "$quiet" = --quiet ] || echo "setup: $*"; }

# command -> Debian package that provides it
declare -A need=(
  [ip]=iproute2 [nft]=nftables [tshark]=tshark [tcpdump]=tcpdump [cc]=gcc [make]=make
  [g++]=g++ [python3]=python3 [busybox]=busybox-static [qemu-system-x86_64]=qemu-system-x86
  [cpio]=cpio [ethtool]=ethtool [sshd]=openssh-server [ssh]=openssh-client [xz]=xz-utils [zstd]=zstd [unshare]=util-linux [chromium]=chromium
)
missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || [ -e /usr/lib/libc.a ] || missing+=(libc6-dev)
# VM targets fetch Debian kernels: apt checks them against Debian's archive key.
[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
# Other stacks as targets: gVisor's netstack (runsc) and lwIP (its headers and library).
command -v runsc >/dev/null 2>&1 || missing+=(runsc)
[ -e /usr/include/lwip/lwip/tcp.h ] || missing+=(liblwip-dev)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; run as root (sudo) or: apt-get install ${missing[*]}" >&2
    exit 2
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages only, no services: openssh-server must not start an sshd on this host.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -e node_modules/raw-socket/build/Release/raw.node ] || [ ! -e node_modules/.package-lock.json ] \
   || [ package.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies"
  npm install --no-fund --no-audit --loglevel=error
fi
# raw-socket is useless without its native addon: fail here, not in the middle of a run.
if [ ! -e node_modules/raw-socket/build/Release/raw.node ]; then
  npm rebuild raw-socket --loglevel=error
  [ -e node_modules/raw-socket/build/Release/raw.node ] || {
    echo "setup: raw-socket's native addon did not build (needs make, g++, python3)" >&2; exit 2; }
fi
node scripts/build-agent.mjs
