#!/usr/bin/env bash
# Makes sure the PostgreSQL server the tests use is running with pgvector available.
# Debian bookworm ships no pgvector package, so it is built from Debian's trixie source package
# against the local server (about 30 s, once). Needs root for apt; does nothing when all is in place.
set -euo pipefail

url=${TEST_DATABASE_URL:-postgresql://root@127.0.0.1:5432/test}

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "ensure-postgres: installing PostgreSQL from Debian" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

pg_major=$(ls /etc/postgresql | sort -n | tail -n 1)

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "ensure-postgres: starting PostgreSQL ${pg_major}" >&2
  pg_ctlcluster --skip-systemctl-redirect "${pg_major}" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# A fresh Debian cluster only knows the postgres role; the tests connect as root.
if ! psql "$url" -qAtc 'select 1' >/dev/null 2>&1; then
  su postgres -c "psql -qc \"DO \\\$\\\$ BEGIN CREATE ROLE root SUPERUSER LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \\\$\\\$\"" >/dev/null
  su postgres -c "createdb -O root test" 2>/dev/null || true
fi

if [ ! -f "/usr/share/postgresql/${pg_major}/extension/vector.control" ]; then
  echo "ensure-postgres: building pgvector for PostgreSQL ${pg_major} from Debian's source package" >&2
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
  apt-get install -y -qq "postgresql-server-dev-${pg_major}" make gcc dpkg-dev >/dev/null
  work=$(mktemp -d)
  (
    cd "$work"
    apt-get source --download-only pgvector >/dev/null
    tar xzf pgvector_*.orig.tar.gz
    cd "$(find . -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)"
    make OPTFLAGS="" >/dev/null
    make install >/dev/null
  )
  rm -rf "$work"
fi

psql "$url" -qAtc 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null
echo "ensure-postgres: PostgreSQL $(psql "$url" -qAtc 'show server_version') with pgvector $(psql "$url" -qAtc "select extversion from pg_extension where extname = 'vector'") at ${url}" >&2
