#!/usr/bin/env bash
# A throwaway PostgreSQL server for the auth-jdbc tests, on 127.0.0.1 only.
#
#   bash .ci/postgres.sh start   initdb into a new temporary folder, start the server on a free port (25432 if it
#                                is free), create the database cairn_test and the user cairn with a random password,
#                                and write CAIRN_TEST_PG_URL=jdbc:postgresql://... into .ci/postgres.env
#   bash .ci/postgres.sh stop    stop that server and delete its folder and .ci/postgres.env
#
# Needs Debian's postgresql package (binaries in /usr/lib/postgresql/<version>/bin; the newest is used). Run as
# root, the server runs as the user postgres (created if missing): PostgreSQL refuses to run as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
env_file="$PWD/.ci/postgres.env"

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n | tail -n 1)
  if [[ -z $dir || ! -x $dir/pg_ctl ]]; then
    echo "postgres.sh: no PostgreSQL under /usr/lib/postgresql/<version>/bin; apt-get install postgresql" >&2
    exit 1
  fi
  echo "$dir"
}

# runs a command as the server's owner: postgres when we are root, else ourselves
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  if [[ -f $env_file ]]; then
    echo "postgres.sh: $env_file exists: already started? ('stop' first)" >&2
    exit 1
  fi
  local bin dir port password
  bin=$(bin_dir)
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  dir=$(mktemp -d /tmp/cairn-pg.XXXXXX)
  chmod 755 "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$dir"
  fi
  port=${CAIRN_TEST_PG_PORT:-25432}
  while ! port_free "$port"; do
    port=$((port + 1))
  done
  password=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=50" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  as_owner "$bin/psql" -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE cairn LOGIN PASSWORD '$password'" -c "CREATE DATABASE cairn_test OWNER cairn" >/dev/null
  {
    # quoted: the file is meant to be sourced, and the URL holds an '&'
    echo "CAIRN_TEST_PG_URL='jdbc:postgresql://127.0.0.1:$port/cairn_test?user=cairn&password=$password'"
    echo "CAIRN_TEST_PG_DIR='$dir'"
  } >"$env_file"
  echo "postgres.sh: PostgreSQL $(basename "$(dirname "$bin")") on 127.0.0.1:$port (folder $dir); URL in $env_file"
}

stop() {
  if [[ ! -f $env_file ]]; then
    echo "postgres.sh: $env_file missing: nothing to stop"
    return 0
  fi
  local dir
  dir=$(sed -n "s/^CAIRN_TEST_PG_DIR=//p" "$env_file" | tr -d "'")
  if [[ -n $dir && -d $dir/data ]]; then
    as_owner "$(bin_dir)/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null || true
  fi
  if [[ -n $dir && $dir == /tmp/cairn-pg.* ]]; then
    rm -rf "$dir"
  fi
  rm -f "$env_file"
  echo "postgres.sh: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
