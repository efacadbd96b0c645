# Shared by the set-up scripts: the GOV.UK Frontend and MoJ Frontend packages the web pages
# are styled with (and axe-core for the accessibility tests), installed from the npm registry
# at the versions in package-lock.json.
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

ensure_frontend_assets() {
    if ! command -v npm > /dev/null; then
        echo "Installing Node.js and npm (Debian packages)…"
        apt_install nodejs npm
    fi
    if [ ! -f node_modules/govuk-frontend/package.json ] || [ ! -f node_modules/axe-core/package.json ] \
        || [ package-lock.json -nt node_modules ]; then
        npm ci --silent --no-audit --no-fund
    fi
}
