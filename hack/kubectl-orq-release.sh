#!/bin/sh
# kubectl-orq-release.sh VERSION [DIR] builds what a release of kubectl orq publishes, into DIR
# (default dist): kubectl-orq_VERSION_<os>_<arch>.tar.gz for linux and darwin on amd64 and arm64,
# each holding the static kubectl-orq binary at its root as deploy/krew/orq.yaml installs it, and
# DIR/orq.yaml, that manifest with the version and the archives' sums filled in, for a krew index.
# GO names the go command (a test gives a stand-in).
set -eu
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 VERSION [DIR]" >&2; exit 2; }
version=$1 dir=${2:-dist}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for os in linux darwin; do
  for arch in amd64 arm64; do
    echo ">> building kubectl-orq $version for $os/$arch" >&2
    rm -f "$work/kubectl-orq"
    (cd "$root" && CGO_ENABLED=0 GOOS=$os GOARCH=$arch ${GO:-go} build -trimpath \
      -ldflags "-s -w -X main.version=$version" -o "$work/kubectl-orq" ./cmd/kubectl-orq)
    chmod 0755 "$work/kubectl-orq"
    tar -C "$work" -czf "$dir/kubectl-orq_${version}_${os}_${arch}.tar.gz" kubectl-orq
  done
done
"$root/hack/krew-manifest.sh" "$version" "$dir" > "$dir/orq.yaml"
echo ">> $dir: four archives and orq.yaml, the krew manifest of $version" >&2
