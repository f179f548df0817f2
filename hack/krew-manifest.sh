#!/bin/sh
# krew-manifest.sh VERSION DIR prints deploy/krew/orq.yaml with its placeholders filled in for the
# release VERSION (v1.2.3): the sha256 of each archive DIR/kubectl-orq_VERSION_<os>_<arch>.tar.gz.
# hack/kubectl-orq-release.sh runs it; cmd/kubectl-orq's krew tests check what it prints as krew
# would.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 VERSION DIR" >&2; exit 2; }
version=$1 dir=$2
set -- -e "s|\${VERSION}|$version|g"
for os in linux darwin; do
  for arch in amd64 arm64; do
    sum=$(sha256sum "$dir/kubectl-orq_${version}_${os}_${arch}.tar.gz" | cut -d' ' -f1)
    var=$(echo "SHA256_${os}_${arch}" | tr '[:lower:]' '[:upper:]')
    set -- "$@" -e "s|\${$var}|$sum|g"
  done
done
sed "$@" "$(dirname "$0")/../deploy/krew/orq.yaml"
