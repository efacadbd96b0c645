# Shared by the set-up scripts: make sure a PostgreSQL server is installed (Debian package).
# The tests start and stop their own throwaway server with it.
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

ensure_postgresql_server() {
    if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
        return
    fi
    echo "Installing the PostgreSQL server (Debian package postgresql)…"
    apt_install postgresql
}
