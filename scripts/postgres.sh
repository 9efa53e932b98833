#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server on 127.0.0.1:
#   scripts/postgres.sh cargo test -p maestro-tools
# Installs the Debian package when its server binaries are missing, starts a
# cluster in a temporary directory on a free port, exports
# MAESTRO_TEST_DATABASE_URL (and MAESTRO_REQUIRE_POSTGRES=1, so that tests
# needing PostgreSQL fail instead of skipping), runs the command and stops
# the server whatever happens. MAESTRO_PG_OPTIONS adds server settings
# (e.g. "-c fsync=on" for measurements).
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "== installing PostgreSQL (Debian package)"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

# initdb refuses to run as root: the cluster then belongs to the postgres user.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    as_owner=(runuser -u postgres --)
fi

data=$(mktemp -d /tmp/maestro-pg.XXXXXX)
chmod 755 "$data"
[ ${#as_owner[@]} -gt 0 ] && chown postgres "$data"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$data/cluster" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$data"
}
trap stop EXIT

"${as_owner[@]}" "$bindir/initdb" -D "$data/cluster" -U maestro --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_owner[@]}" "$bindir/pg_ctl" -D "$data/cluster" -l "$data/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=200 -c fsync=off ${MAESTRO_PG_OPTIONS:-}" start >/dev/null
"${as_owner[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U maestro maestro_test

export MAESTRO_TEST_DATABASE_URL="postgres://maestro@127.0.0.1:$port/maestro_test"
export MAESTRO_REQUIRE_POSTGRES=1
echo "== PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($MAESTRO_TEST_DATABASE_URL)"
"$@"
