# Shared by the set-up scripts: Debian's Chromium, which the browser tests drive.
ensure_chromium() {
    if [ -x /usr/bin/chromium ]; then
        return
    fi
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    echo "Installing Chromium (Debian package) for the browser tests…"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq chromium > /dev/null
}
