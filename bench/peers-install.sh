#!/bin/bash
# The peers bench/peers.py measures Actors against, at the versions issue 14 names: supervisord 4.2.5, runit 2.1.2 and
# s6 2.11.3 from Debian, PM2 7.0.4 from npm. Installs only what is missing. Needs root (apt) and network to the
# registries. Their services are not started: peers.py starts each one itself, in a folder of its own.
set -euo pipefail
missing=()
command -v supervisord >/dev/null || missing+=(supervisor)
command -v runsvdir >/dev/null || missing+=(runit)
command -v s6-svscan >/dev/null || missing+=(s6)
if ((${#missing[@]})); then
  # A fresh machine has no package lists yet: install alone then answers "Unable to locate package".
  apt-get install -y -q "${missing[@]}" || { apt-get update -q && apt-get install -y -q "${missing[@]}"; }
fi
command -v pm2 >/dev/null || npm install -g pm2@7.0.4
# (pm2 --version would start a daemon in ~/.pm2: the npm listing says the version instead)
supervisord --version; npm ls -g pm2 | grep pm2@; dpkg-query -W runit s6
