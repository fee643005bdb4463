#!/usr/bin/env bash
# Builds pgvector from Debian's trixie source package against the local PostgreSQL server, because
# bookworm ships no pgvector package. Skips when the extension is already installed.
set -euo pipefail

pg_major=$(ls /etc/postgresql | sort -n | tail -n 1)
if [ -f "/usr/share/postgresql/${pg_major}/extension/vector.control" ]; then
  echo "pgvector already installed for PostgreSQL ${pg_major}"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if [ ! -f /etc/apt/sources.list.d/trixie-src.sources ]; then
  cat > /etc/apt/sources.list.d/trixie-src.sources <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
apt-get update -qq
apt-get install -y -qq "postgresql-server-dev-${pg_major}" make gcc >/dev/null

work=$(mktemp -d)
cd "$work"
apt-get source --download-only pgvector >/dev/null
tar xzf pgvector_*.orig.tar.gz
cd "$(find . -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)"
make OPTFLAGS="" >/dev/null
make install >/dev/null
echo "pgvector built and installed for PostgreSQL ${pg_major}"
