# Shared steps of .ci/start and .ci/test. Each `ensure_*` installs one thing when it is
# missing and does nothing when it is already there. Sourced, not run.
#
# Only package registries are used (crates.io, npm, Debian); nothing downloads a prebuilt
# tool from elsewhere. The browser bundle is built without cargo-leptos: cargo builds the
# wasm, our `split-wasm` (.ci/split-wasm) cuts the lazy routes out of it, wasm-bindgen-cli
# (from crates.io) writes the JS glue, binaryen's wasm-opt (from npm; never Debian's old
# one) shrinks each file.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
SITE_ROOT=$CARGO_TARGET_DIR/site

# Each step says when it began (seconds since the script started), so a slow CI run
# shows where its time went.
step() { printf '\n==> [%ss] %s\n' "$SECONDS" "$*" >&2; }

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

# Builds the browser bundle into $SITE_ROOT/pkg/HASH/ (HASH from the contents, written to
# pkg/bundle for the server): portico.js and portico_bg.wasm (the main module),
# portico.css, and the lazily loaded routes (split_*.wasm, chunk_*.wasm shared between
# them, their loader and manifest), each also gzip- and Brotli-compressed; then
# everything in public/.
build_site() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_node_modules
  step "building the browser bundle (wasm)"
  # .cargo/config.toml adds the wasm flags (type-erased views, relocations for splitting).
  cargo build --locked -p frontend --target wasm32-unknown-unknown --profile wasm-release
  cargo build --locked --release -p split-wasm
  local wasm_in=$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/frontend.wasm
  # Splitting and optimising take most of a minute: skipped when nothing they read changed.
  local source
  source=$(cat "$wasm_in" "$ROOT/style/main.css" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-64)
  if [ "$(cat "$SITE_ROOT/pkg/source" 2>/dev/null)" = "$source" ] &&
    [ -f "$SITE_ROOT/pkg/$(cat "$SITE_ROOT/pkg/bundle" 2>/dev/null)/portico.js" ]; then
    step "the browser bundle is up to date"
    copy_public
    return
  fi
  local out=$SITE_ROOT/pkg.new
  rm -rf "$out" && mkdir -p "$out"
  "$CARGO_TARGET_DIR/release/split-wasm" "$wasm_in" "$out"
  # The chunks import the main module's linker symbols: keep them, with their names.
  wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
    --out-name portico --out-dir "$out" "$out/portico_split.wasm"
  rm "$out/portico_split.wasm"
  local wasm
  for wasm in "$out"/*.wasm; do
    # (wasm-opt warns about each file's Rust-specific name subsection; it drops names.)
    "$ROOT/end2end/node_modules/.bin/wasm-opt" -Oz \
      --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      -o "$wasm" "$wasm" 2> >(grep -v "unknown name subsection" >&2)
  done
  cp "$ROOT/style/main.css" "$out/portico.css"
  # The folder's name is a hash of everything in it, so browsers may cache its files
  # for good (chunk names are not unique across builds; the folder is).
  local hash
  hash=$(cd "$out" && LC_ALL=C ls | while read -r file; do sha256sum "$file"; done | sha256sum | cut -c1-16)
  gzip -9 -k -f "$out"/*.js "$out"/*.wasm "$out"/*.css
  node "$ROOT/.ci/brotli.mjs" "$out"/*.js "$out"/*.wasm "$out"/*.css
  local pkg=$SITE_ROOT/pkg
  rm -rf "$pkg" && mkdir -p "$pkg"
  mv "$out" "$pkg/$hash"
  echo "$hash" >"$pkg/bundle"
  echo "$source" >"$pkg/source"
  copy_public
}

# The public assets, into the site root; the scripts other sites load (the widget
# loader) with compressed copies beside them, as the bundle's files have.
copy_public() {
  cp -r "$ROOT/public/." "$SITE_ROOT/"
  gzip -9 -k -f "$SITE_ROOT"/*.js
  node "$ROOT/.ci/brotli.mjs" "$SITE_ROOT"/*.js
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
