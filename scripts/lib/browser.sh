# Shared by the set-up scripts: Debian's Chromium, which the browser tests drive.
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

ensure_chromium() {
    if [ -x /usr/bin/chromium ]; then
        return
    fi
    echo "Installing Chromium (Debian package) for the browser tests…"
    apt_install chromium
}
