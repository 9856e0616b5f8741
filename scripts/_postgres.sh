# shellcheck shell=bash
# PostgreSQL for scripts/services: a throwaway cluster from the OS packages,
# listening on 127.0.0.1 only, with database `o2c` owned by user `o2c`.
# Sourced, not run.

PG_STATE="$STATE/postgres"

# The newest installed server binaries. Debian keeps them out of PATH, in
# /usr/lib/postgresql/<major>/bin; O2C_PG_BINDIR overrides the search.
pg_find_bindir() {
    if [ -n "${O2C_PG_BINDIR:-}" ]; then
        echo "$O2C_PG_BINDIR"
        return 0
    fi
    local dir
    dir="$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' 2>/dev/null |
        sort -V | tail -n 1)"
    if [ -n "$dir" ]; then
        dirname "$dir"
    elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v initdb)"
    fi
}

pg_bindir() {
    local dir
    dir="$(pg_find_bindir)"
    if [ -z "$dir" ]; then
        [ "$(id -u)" -eq 0 ] ||
            die "PostgreSQL server binaries are missing; install the 'postgresql' package"
        say "PostgreSQL is missing; installing it from the Debian packages"
        { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } \
            </dev/null >&2 9>&- || die "apt-get could not install postgresql"
        dir="$(pg_find_bindir)"
        [ -n "$dir" ] || die "postgresql was installed but no initdb was found"
    fi
    echo "$dir"
}

# PostgreSQL refuses to run as root. As root we run it as an unprivileged
# user: O2C_PG_USER, else the Debian package's `postgres`, else `o2c-pg`,
# created here as a system user without a login.
pg_os_user() {
    if [ "$(id -u)" -ne 0 ]; then
        id -un
        return 0
    fi
    local user="${O2C_PG_USER:-}"
    if [ -z "$user" ]; then
        if id postgres >/dev/null 2>&1; then user=postgres; else user=o2c-pg; fi
    fi
    if ! id "$user" >/dev/null 2>&1; then
        say "creating system user $user to run PostgreSQL"
        useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$user" >&2 || die "could not create user $user"
    fi
    echo "$user"
}

# Runs a command as the cluster's OS user, from / so that a cwd that user may
# not enter (such as /root) does not upset initdb or pg_ctl.
as_pg() {
    local user
    user="$(cat "$PG_STATE/os-user")"
    if [ "$(id -u)" -eq 0 ] && [ "$user" != root ]; then
        (cd / && runuser -u "$user" -- "$@")
    else
        (cd / && "$@")
    fi
}

pg_port() { cat "$PG_STATE/port" 2>/dev/null || true; }
pg_home() { cat "$PG_STATE/home" 2>/dev/null || true; }
# The postmaster's pid while it runs, else nothing.
pg_pid() {
    local home
    home="$(pg_home)"
    [ -n "$home" ] || return 0
    pid_matching "$(head -n 1 "$home/data/postmaster.pid" 2>/dev/null || true)" "$home/data"
}

pg_running() {
    [ -n "$(pg_pid)" ] && [ -f "$PG_STATE/ready" ]
}

pg_up() {
    if pg_running; then
        say "postgres already running (pid $(pg_pid)) on 127.0.0.1:$(pg_port)"
        return 0
    fi
    pg_down quiet # a dead cluster's leftovers (e.g. after a reboot)
    local bin user port home password
    bin="$(pg_bindir)"
    user="$(pg_os_user)"
    port="${O2C_PG_PORT:-}"
    [ -n "$port" ] || port="$(free_port)"
    check_port_free "$port" "PostgreSQL"

    mkdir -p "$PG_STATE"
    chmod 700 "$PG_STATE"
    # The cluster lives in its own folder under /tmp, not in the state folder:
    # the state folder may sit where the unprivileged user cannot enter (pytest
    # keeps tmp folders in a root-only /tmp/pytest-of-root).
    home="$(mktemp -d /tmp/o2c-pg.XXXXXX)"
    echo "$home" >"$PG_STATE/home"
    echo "$user" >"$PG_STATE/os-user"
    echo "$port" >"$PG_STATE/port"
    [ "$(id -u)" -ne 0 ] || chown "$user:" "$home"
    chmod 700 "$home"
    # Hex only, so the password needs no quoting in SQL or escaping in a URL.
    password="$(od -An -N 16 -tx1 /dev/urandom | tr -d ' \n')"
    (umask 077 && echo "$password" >"$PG_STATE/password")

    say "initialising a PostgreSQL cluster in $home/data (as $user)"
    # Local socket: peer (only the cluster's OS user); TCP: passwords.
    # --no-sync: a throwaway cluster need not wait for the disk.
    if ! as_pg "$bin/initdb" -D "$home/data" --auth-local=peer \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C --no-instructions --no-sync \
        </dev/null >"$home/initdb.log" 2>&1 9>&-; then
        show_log_tail "$home/initdb.log"
        die "initdb failed"
    fi
    cat >>"$home/data/postgresql.conf" <<EOF

# Added by o2c scripts/services: loopback only, socket kept in the cluster folder.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$home'
EOF

    say "starting PostgreSQL on 127.0.0.1:$port"
    if ! as_pg "$bin/pg_ctl" -D "$home/data" -l "$home/server.log" -w \
        -t "$TIMEOUT" start </dev/null >&2 9>&-; then
        show_log_tail "$home/server.log"
        pg_down quiet
        die "PostgreSQL did not start"
    fi

    # The password goes in on stdin, never on a command line that `ps` shows.
    if ! printf "CREATE ROLE o2c LOGIN PASSWORD '%s';\nCREATE DATABASE o2c OWNER o2c;\n" \
        "$password" | as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$home" \
        -p "$port" -U "$user" -d postgres >&2 9>&-; then
        pg_down quiet
        die "could not create the o2c user and database"
    fi

    # Prove what clients will do: a password login over TCP on loopback.
    local deadline=$((SECONDS + TIMEOUT))
    until PGPASSWORD="$password" PGCONNECT_TIMEOUT=5 "$bin/psql" -X -q -w -At \
        -h 127.0.0.1 -p "$port" -U o2c -d o2c -c 'select 1' </dev/null >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            show_log_tail "$home/server.log"
            pg_down quiet
            die "PostgreSQL did not accept o2c's login on 127.0.0.1:$port within ${TIMEOUT}s"
        fi
        sleep 0.5
    done
    touch "$PG_STATE/ready"
    say "postgres ready (pid $(pg_pid)), log: $home/server.log"
}

pg_dsn() {
    echo "postgresql://o2c:$(cat "$PG_STATE/password")@127.0.0.1:$(pg_port)/o2c"
}

postgres_exports() {
    pg_running || return 0
    printf 'export O2C_EVENT_STORE=%s\n' postgresql
    printf 'export O2C_POSTGRES_DSN=%s\n' "$(pg_dsn)"
}

# Stops the cluster (fast: roll back open sessions, then a clean shutdown) and
# deletes it. "quiet" skips the messages, for cleanup of a dead cluster.
pg_down() {
    local quiet="${1:-}" home pid
    home="$(pg_home)"
    pid="$(pg_pid)"
    if [ -n "$pid" ]; then
        [ -n "$quiet" ] || say "stopping postgres (pid $pid)"
        as_pg "$(pg_bindir)/pg_ctl" -D "$home/data" -m fast -w -t 60 stop \
            </dev/null >&2 9>&- || kill -KILL "$pid" 2>/dev/null || true
        while pid_alive "$pid"; do sleep 0.1; done
    elif [ -z "$quiet" ]; then
        say "postgres is not running"
    fi
    # Only ever delete a folder this script made.
    case "$home" in
        /tmp/o2c-pg.?*) rm -rf "$home" ;;
    esac
    rm -rf "${PG_STATE:?}"
}

pg_status() {
    if pg_running; then
        echo "postgres: running, pid $(pg_pid), 127.0.0.1:$(pg_port), database o2c"
    else
        echo "postgres: not running"
        return 1
    fi
}

# scripts/services calls each service's functions by the service's name.
postgres_up() { pg_up; }
postgres_down() { pg_down "$@"; }
postgres_status() { pg_status; }
