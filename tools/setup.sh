#!/usr/bin/env bash
# Installs everything folio needs to build, test and benchmark, from Debian packages.
# Idempotent: packages already present are skipped. Run as root on Debian bookworm.
set -euo pipefail

packages=(
  g++ cmake make git pkg-config
  libboost1.81-dev libboost-serialization1.81-dev libboost-json1.81-dev
  catch2 libbenchmark-dev libsqlite3-dev sqlite3 libxxhash-dev
  python3 python3-django
  clang libclang-rt-14-dev libfuzzer-14-dev
  gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all packages present" >&2
fi
