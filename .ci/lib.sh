# Shared by .ci/start, .ci/test and .ci/run: installs whatever the build needs and is
# missing, says what it does, and skips what is already there. Versions are the ones that
# install and work on this project's machines (see shared/docs/toolchain.md).
# shellcheck shell=bash

TRUNK_VERSION=0.21.14
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$REPO_ROOT/sidebar-ui/node_modules/.bin:$PATH"
# Trunk must never try to download anything: the machines reach package registries only.
export TRUNK_SKIP_VERSION_CHECK=true

say() { printf '\n==> %s\n' "$*"; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $*"; fi
}

APT_UPDATED=""
apt_install() {
  if [ -z "$APT_UPDATED" ]; then
    say "Updating the Debian package lists"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  say "Installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The wasm-bindgen version Cargo.lock pins; wasm-bindgen-cli must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
    "$REPO_ROOT/Cargo.lock"
}

ensure_rust() {
  command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup (https://rustup.rs)"
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "Adding the Rust target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "Installing Trunk $TRUNK_VERSION (about 10 minutes on 2 cores, once)"
    cargo install --locked trunk --version "$TRUNK_VERSION"
  fi
}

ensure_wasm_bindgen() {
  local want
  want="$(wasm_bindgen_version)"
  [ -n "$want" ] || die "cannot read the wasm-bindgen version from Cargo.lock"
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $want" ]; then
    say "Installing wasm-bindgen-cli $want (matches Cargo.lock; a few minutes, once)"
    # Not --locked: its lock file names a webpki-roots version the registry no longer has.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

ensure_node_tools() {
  if ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
  local lock="$REPO_ROOT/sidebar-ui/package-lock.json"
  local stamp="$REPO_ROOT/sidebar-ui/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
    say "Installing the sidebar's npm packages (wasm-opt 132, esbuild, @wecom/jssdk) from package-lock.json"
    (cd "$REPO_ROOT/sidebar-ui" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" = 132 ] ||
    die "wasm-opt 132 is not on PATH after npm ci"
}

ensure_build_tools() {
  ensure_rust
  ensure_trunk
  ensure_wasm_bindgen
  ensure_node_tools
}

ensure_browser() {
  if ! command -v chromium >/dev/null; then
    # fonts-noto-cjk: without a CJK font the screenshots show boxes instead of Chinese.
    apt_install chromium fonts-noto-cjk
  fi
}

# wechatpy: the independent implementation of WeCom's crypto the interop tests talk to.
PEERS_VENV="$REPO_ROOT/target/peers-venv"
ensure_python_peers() {
  if ! "$PEERS_VENV/bin/python" -c 'import wechatpy.enterprise.crypto, openapi_spec_validator' 2>/dev/null; then
    command -v python3 >/dev/null || apt_install python3 python3-venv
    say "Installing wechatpy (the interop peer) and openapi-spec-validator into target/peers-venv"
    python3 -m venv "$PEERS_VENV" || { apt_install python3-venv; python3 -m venv "$PEERS_VENV"; }
    "$PEERS_VENV/bin/pip" install -q --disable-pip-version-check wechatpy==1.8.18 cryptography==46.0.7 \
      openapi-spec-validator==0.9.0
  fi
  export WECHATPY_PYTHON="$PEERS_VENV/bin/python"
}

build_sidebar() {
  say "Building the sidebar (Leptos -> WASM) into dist/"
  (cd "$REPO_ROOT" && trunk build --offline)
  # Trunk's pre-build hook re-bundled the WeCom JS-SDK bridge from the locked npm packages:
  # the committed bundle must be exactly that.
  if git -C "$REPO_ROOT" rev-parse --git-dir >/dev/null 2>&1 &&
    ! git -C "$REPO_ROOT" diff --quiet -- sidebar-ui/js/wecom_bridge.js; then
    git -C "$REPO_ROOT" --no-pager diff --stat -- sidebar-ui/js/wecom_bridge.js
    die "sidebar-ui/js/wecom_bridge.js differs from what the locked @wecom/jssdk builds: commit the rebuilt bundle"
  fi
}
