#!/usr/bin/env bash
# Builds helm v3 from Go modules and caches it outside the repository, because the usual
# prebuilt download is not reachable here. Prints the path of the helm binary.
# Idempotent: a cached build is reused. While it builds, it says so on stderr; the go commands'
# output goes to a log file, shown when the build fails. Parallel builds wait for each other.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-3.22.0}"
CACHE_ROOT="${ORQ_OPERATOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/orq-operator}"
DIR="$CACHE_ROOT/helm/v${HELM_VERSION}"
HELM="$DIR/helm"

if [[ -x "$HELM" ]]; then
  echo "$HELM"
  exit 0
fi

work="$DIR/build"
mkdir -p "$work"
if command -v flock >/dev/null; then
  exec 9>"$DIR/.build.lock"
  if ! flock -n 9; then
    echo "helm: another build of helm is under way; waiting for it to finish" >&2
    flock 9
  fi
  if [[ -x "$HELM" ]]; then
    echo "$HELM"
    exit 0
  fi
fi
export GOFLAGS="-mod=mod" CGO_ENABLED=0
log="$work/build.log"
: >"$log"
trap 'status=$?; if [[ $status -ne 0 ]]; then
  echo "helm: the build failed (exit status $status). The last lines of its log, $log:" >&2
  tail -n 40 "$log" | sed "s/^/  | /" >&2
fi' EXIT
echo "helm: building helm v${HELM_VERSION} from Go modules for the packaging tests, once (about 2.5 minutes on 2 cores); cached in $HELM, log in $log" >&2

# A throwaway module whose only requirement is helm: with no replace lines in helm's go.mod,
# minimal version selection picks exactly the dependency versions helm's release was built with.
(
  exec >>"$log" 2>&1
  cd "$work"
  rm -f go.mod go.sum
  go mod init helm-build
  go mod edit -require="helm.sh/helm/v3@v${HELM_VERSION}" -tool=helm.sh/helm/v3/cmd/helm
  go mod tidy
  # As helm's Makefile does: the default Kubernetes version of `helm template` and `helm lint`
  # (.Capabilities.KubeVersion) follows the client-go helm is built with, v0.N -> 1.N.
  client_go=$(go list -m -f '{{.Version}}' k8s.io/client-go)
  k8s_minor="${client_go#v0.}"; k8s_minor="${k8s_minor%%.*}"
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=v${HELM_VERSION}"
  ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in pkg/chartutil pkg/lint/rules; do
    ldflags+=" -X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1 -X helm.sh/helm/v3/${pkg}.k8sVersionMinor=${k8s_minor}"
  done
  go build -trimpath -ldflags "$ldflags" -o "$HELM.tmp" helm.sh/helm/v3/cmd/helm
  mv "$HELM.tmp" "$HELM"
)

echo "$HELM"
