#!/usr/bin/env bash
# Builds envtest's control plane (kube-apiserver and etcd) from Go modules and caches it
# outside the repository, because the usual prebuilt download is not reachable here.
# Prints the directory to use as KUBEBUILDER_ASSETS. Idempotent: a cached build is reused.
# While it builds, it says so on stderr, one line a binary; the go commands' output goes to a log
# file, shown when the build fails. Builds in parallel (make run and make test at once) wait for
# each other.
set -euo pipefail

K8S_VERSION="${ENVTEST_K8S_VERSION:-1.37.2}"
ETCD_VERSION="${ENVTEST_ETCD_VERSION:-3.7.0}"
CACHE_ROOT="${ORQ_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/orq-operator}"
ASSETS="$CACHE_ROOT/envtest/k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}"

cached() { [[ -x "$ASSETS/kube-apiserver" && -x "$ASSETS/etcd" ]]; }

if cached; then
  echo "$ASSETS"
  exit 0
fi

mkdir -p "$CACHE_ROOT/envtest"
if command -v flock >/dev/null; then
  exec 9>"$CACHE_ROOT/envtest/.build.lock"
  if ! flock -n 9; then
    echo "envtest: another build of kube-apiserver and etcd is under way; waiting for it to finish" >&2
    flock 9
  fi
  if cached; then
    echo "$ASSETS"
    exit 0
  fi
fi

minor="${K8S_VERSION#*.}"; minor="${minor%%.*}"
staging_version="v0.${K8S_VERSION#*.}"
work="$CACHE_ROOT/envtest/build"
mkdir -p "$ASSETS" "$work/apiserver" "$work/etcd"
export GOFLAGS="-mod=mod" CGO_ENABLED=0
log="$work/build.log"
: >"$log"
trap 'status=$?; if [[ $status -ne 0 ]]; then
  echo "envtest: the build failed (exit status $status). The last lines of its log, $log:" >&2
  tail -n 40 "$log" | sed "s/^/  | /" >&2
fi' EXIT

echo "envtest: building kube-apiserver v${K8S_VERSION} from Go modules, once (about 11 minutes on 2 cores, with the download); cached in $ASSETS, log in $log" >&2

# kube-apiserver: k8s.io/kubernetes maps its staging modules to ./staging; map each to its release.
(
  exec >>"$log" 2>&1
  cd "$work/apiserver"
  rm -f go.mod go.sum
  go mod init envtest-apiserver
  modfile=$(curl -fsS "$(go env GOPROXY | cut -d, -f1)/k8s.io/kubernetes/@v/v${K8S_VERSION}.mod" 2>/dev/null) \
    || modfile=$(go mod download -json "k8s.io/kubernetes@v${K8S_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p' | xargs cat)
  go mod edit -require="k8s.io/kubernetes@v${K8S_VERSION}"
  for m in $(echo "$modfile" | grep -oE 'k8s.io/[a-z0-9-]+ => ./staging' | awk '{print $1}'); do
    case "$m" in k8s.io/sample-*) continue ;; esac
    go mod edit -replace="$m=$m@$staging_version"
  done
  printf 'package main\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver/app"\n' > tools.go
  go mod tidy
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v${K8S_VERSION}"
  ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor}"
  ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
  go build -trimpath -ldflags "$ldflags" -o "$ASSETS/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
  mv "$ASSETS/kube-apiserver.tmp" "$ASSETS/kube-apiserver"
)

# etcd: a two-line main around etcdmain, the package the real etcd binary runs.
echo "envtest: building etcd v${ETCD_VERSION} (about 1 minute)" >&2
(
  exec >>"$log" 2>&1
  cd "$work/etcd"
  rm -f go.mod go.sum
  go mod init envtest-etcd
  cat > main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  go mod edit -require="go.etcd.io/etcd/server/v3@v${ETCD_VERSION}"
  go mod tidy
  go build -trimpath -ldflags "-s -w" -o "$ASSETS/etcd.tmp" .
  mv "$ASSETS/etcd.tmp" "$ASSETS/etcd"
)

echo "$ASSETS"
