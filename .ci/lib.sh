# Shared steps of .ci/start and .ci/test. Each `ensure_*` installs one thing when it is
# missing and does nothing when it is already there. Sourced, not run.
#
# Only package registries are used (crates.io, npm, Debian); nothing downloads a prebuilt
# tool from elsewhere. The browser bundle is built without cargo-leptos: cargo builds the
# wasm, wasm-bindgen-cli (from crates.io) writes the JS glue, binaryen's wasm-opt (from
# npm; never Debian's old one) shrinks it.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
SITE_ROOT=$CARGO_TARGET_DIR/site

step() { printf '\n==> %s\n' "$*" >&2; }

# Runs a command as root (directly, or through sudo).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=
apt_install() {
  step "installing Debian packages: $*"
  if [ -z "$APT_UPDATED" ]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
ensure_wasm_bindgen() {
  local version
  version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")
  "$ROOT/.ci/install-wasm-bindgen" "$version"
}

ensure_node() {
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
}

# end2end/node_modules holds Playwright and binaryen's wasm-opt.
ensure_node_modules() {
  ensure_node
  local stamp="$ROOT/end2end/node_modules/.portico-lock"
  if ! cmp -s "$ROOT/end2end/package-lock.json" "$stamp" 2>/dev/null; then
    step "installing end2end's npm packages"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$ROOT/end2end/package-lock.json" "$stamp"
  fi
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

# PostgreSQL's server binaries, for the storage tests' throwaway cluster.
ensure_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    apt_install postgresql
  fi
}

# Builds the browser bundle into $SITE_ROOT: pkg/portico-HASH.js, pkg/portico-HASH_bg.wasm,
# pkg/portico-HASH.css (each also gzip- and Brotli-compressed), pkg/bundle (the name with
# its hash) and everything in public/.
build_site() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_node_modules
  step "building the browser bundle (wasm)"
  cargo build --locked -p frontend --target wasm32-unknown-unknown --profile wasm-release
  local pkg=$SITE_ROOT/pkg
  rm -rf "$pkg.new" && mkdir -p "$pkg.new"
  wasm-bindgen --target web --no-typescript --out-name portico --out-dir "$pkg.new" \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/frontend.wasm"
  "$ROOT/end2end/node_modules/.bin/wasm-opt" -Oz \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$pkg.new/portico_bg.wasm" "$pkg.new/portico_bg.wasm"
  cp "$ROOT/style/main.css" "$pkg.new/portico.css"
  # Names carry a hash of the contents, so browsers may cache them for good; the server
  # reads the name from pkg/bundle.
  local name
  name=portico-$(cat "$pkg.new/portico.js" "$pkg.new/portico_bg.wasm" "$pkg.new/portico.css" | sha256sum | cut -c1-16)
  mv "$pkg.new/portico.js" "$pkg.new/$name.js"
  mv "$pkg.new/portico_bg.wasm" "$pkg.new/${name}_bg.wasm"
  mv "$pkg.new/portico.css" "$pkg.new/$name.css"
  echo "$name" >"$pkg.new/bundle"
  gzip -9 -k -f "$pkg.new"/*.js "$pkg.new"/*.wasm "$pkg.new"/*.css
  node "$ROOT/.ci/brotli.mjs" "$pkg.new"/*.js "$pkg.new"/*.wasm "$pkg.new"/*.css
  rm -rf "$pkg" && mv "$pkg.new" "$pkg"
  cp -r "$ROOT/public/." "$SITE_ROOT/"
}

build_server() {
  step "building the server (release)"
  cargo build --locked --release -p server
}

ensure_rust_components() {
  local installed
  installed=$(rustup component list --installed)
  grep -q '^rustfmt' <<<"$installed" || rustup component add rustfmt
  grep -q '^clippy' <<<"$installed" || rustup component add clippy
}
