#!/usr/bin/env bash
# A third-party LRS for the sync suite: Learning Locker's statement service (npm
# xapi-statements 5.0.1) with its in-memory store, as bench/run uses it for a baseline.
#
#   third-party-lrs.sh install DIR          installs it with npm into DIR unless it is there
#   third-party-lrs.sh serve DIR WORKDIR    starts it on 127.0.0.1 (a free port), prints
#                                           "listening on http://127.0.0.1:PORT/xAPI" once it
#                                           accepts connections; the script's process becomes
#                                           node's (exec), so SIGTERM to it stops the LRS
#
# AUTH_REPO=test: any HTTP Basic key and secret is accepted, as one test client; every
# statement lives in memory and is gone when the process ends. node's own output goes to
# WORKDIR/lrs.log.
set -euo pipefail

version=5.0.1
package=xapi-statements

usage() {
  echo "usage: $0 install DIR | serve DIR WORKDIR" >&2
  exit 2
}

server_js() { echo "$1/node_modules/$package/dist/server.js"; }

installed() {
  local dir=$1
  [ -f "$(server_js "$dir")" ] && [ -f "$dir/.installed-$package-$version" ]
}

cmd_install() {
  local dir=$1
  if installed "$dir"; then
    echo "$package $version is installed in $dir"
    return 0
  fi
  if ! command -v npm > /dev/null || ! command -v node > /dev/null; then
    echo "$0: cannot install the third-party LRS ($package $version): node and npm are" \
         "needed (Debian: apt-get install nodejs npm)" >&2
    exit 1
  fi
  mkdir -p "$dir"
  # one install at a time into DIR (two test runs may start together)
  exec 9> "$dir/.install.lock"
  flock 9
  if installed "$dir"; then
    echo "$package $version is installed in $dir"
    return 0
  fi
  echo "installing $package $version into $dir with npm" >&2
  local log="$dir/npm-install.log"
  if ! npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
       "$package@$version" > "$log" 2>&1 || [ ! -f "$(server_js "$dir")" ]; then
    echo "$0: npm could not install $package@$version into $dir (is the npm registry" \
         "reachable? a proxy needs npm's https-proxy setting). The end of $log:" >&2
    tail -n 15 "$log" >&2
    exit 1
  fi
  touch "$dir/.installed-$package-$version"
  echo "$package $version is installed in $dir"
}

cmd_serve() {
  local dir=$1 work=$2 server
  server=$(server_js "$dir")
  if [ ! -f "$server" ]; then
    echo "$0: the third-party LRS is not installed in $dir (run: $0 install $dir)" >&2
    exit 1
  fi
  if ! command -v node > /dev/null; then
    echo "$0: cannot start the third-party LRS: node is not installed (Debian: apt-get" \
         "install nodejs)" >&2
    exit 1
  fi
  mkdir -p "$work"
  cd "$work"   # server.js reads a .env file from here: there is none
  # The announcement goes to the script's stdout (kept as fd 3); node's logs go to lrs.log.
  # server.js listens on every interface and EXPRESS_PORT: bind it to 127.0.0.1 on a port
  # the kernel chooses instead (no race for a "free" port), and say which once listening.
  exec 3>&1
  EXPRESS_PORT=1 AUTH_REPO=test EVENTS_REPO=test MODELS_REPO=memory \
  STORAGE_REPO=local FS_LOCAL_STORAGE_DIR="$work/storage" \
  EXPRESS_MORGAN_DIRECTORY="$work/access" WINSTON_CONSOLE_LEVEL=warn \
    exec node -e '
      const fs = require("fs");
      const http = require("http");
      const listen = http.Server.prototype.listen;
      http.Server.prototype.listen = function (port, ...rest) {
        this.once("listening", () => {
          fs.writeSync(3, `listening on http://127.0.0.1:${this.address().port}/xAPI\n`);
          fs.closeSync(3);
        });
        return listen.call(this, 0, "127.0.0.1", ...rest.filter((a) => typeof a === "function"));
      };
      require(process.argv[1]);' "$server" > "$work/lrs.log" 2>&1
}

case "${1:-}" in
  install) [ $# -eq 2 ] || usage; cmd_install "$2" ;;
  serve)   [ $# -eq 3 ] || usage; cmd_serve "$2" "$3" ;;
  *) usage ;;
esac
