# orq-operator Makefile, in kubebuilder's spirit.

# Tool versions, pinned.
CONTROLLER_TOOLS_VERSION ?= v0.23.0
ENVTEST_K8S_VERSION ?= 1.37.2
ENVTEST_ETCD_VERSION ?= 3.7.0
HELM_VERSION ?= 3.22.0

LOCALBIN ?= $(shell pwd)/bin
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
IMG ?= orq-operator:dev
GO_TEST_FLAGS ?=
# Flags for `manager dev`, e.g. RUN_FLAGS="--sync-period=1m --zap-log-level=debug".
RUN_FLAGS ?=
# The version the binaries report (`manager version`), from git.
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
GO_LDFLAGS := -X main.version=$(VERSION)

export ENVTEST_K8S_VERSION ENVTEST_ETCD_VERSION HELM_VERSION

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  %-16s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen go-modules ## Generate the CRD and RBAC manifests (descriptions unwrapped into prose by hack/crd-prose), and the Argo CD health check of each kind.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd:allowDangerousTypes=true webhook paths="./..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	go run ./hack/crd-prose config/crd/bases/*.yaml
	cp config/crd/bases/*.yaml charts/orq-operator/crds/
	go run ./hack/argocd-health

.PHONY: generate
generate: controller-gen go-modules ## Generate the DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./..."

.PHONY: fmt
fmt: go-modules ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: go-modules ## Run go vet.
	@echo ">> go vet ./... (the first time it compiles all of k8s.io and controller-runtime: about 6 minutes on 2 cores, 2.5 after make run; Go's build cache is $(shell go env GOCACHE))" >&2
	go vet ./...

.PHONY: docs
docs: manifests ## Generate the API reference from the CRDs: docs/api-reference.md (the index) and a page per kind in docs/api/.
	go run ./hack/apidocs -crds config/crd/bases -index docs/api-reference.md -pages docs/api

.PHONY: verify
verify: manifests generate docs fmt ## Regenerate everything and fail when the tree is dirty (stale generated files).
	@if [ -n "$$(git status --porcelain)" ]; then \
		echo "Generated files are stale or unformatted; run 'make manifests generate fmt' and commit:"; \
		git status --porcelain; git --no-pager diff --stat; exit 1; fi

.PHONY: test
test: manifests generate fmt vet envtest helm ## Run every test: unit, contract, fuzz seeds, the envtest suites, packaging, policies, monitoring and test/ksm (a module of its own).
	@echo ">> go test ./... (the first time it compiles the tests: about 7 minutes on 2 cores; then about 2 minutes). Skipped tests are listed at the end" >&2
	HELM="$$(hack/helm.sh)" KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh)" go run ./hack/testreport -timeout 30m $(GO_TEST_FLAGS) ./... -coverprofile cover.out
	cd test/ksm && go vet ./... && HELM="$$(../../hack/helm.sh)" go test $(GO_TEST_FLAGS) ./...

.PHONY: bench
bench: envtest ## Benchmark the operator against the bounds of its work (docs/performance.md), e.g. BENCH_FLAGS="-n 100,1000 -out docs/performance-results.md".
	KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh)" go run ./hack/bench $(BENCH_FLAGS)

.PHONY: fuzz
fuzz: ## Run each fuzz target briefly (FUZZTIME: a count of inputs, default 50000x, or a duration).
	hack/fuzz.sh $${FUZZTIME:-50000x}

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build the manager, the kubectl plugin and the in-memory orq API.
	go build -ldflags "$(GO_LDFLAGS)" -o bin/manager ./cmd/manager
	go build -ldflags "$(GO_LDFLAGS)" -o bin/kubectl-orq ./cmd/kubectl-orq
	go build -ldflags "$(GO_LDFLAGS)" -o bin/orq-mem-api ./cmd/orq-mem-api

.PHONY: kubectl-orq
kubectl-orq: ## Build the kubectl plugin bin/kubectl-orq (copy it onto your PATH, then: kubectl orq --help).
	go build -ldflags "$(GO_LDFLAGS)" -o bin/kubectl-orq ./cmd/kubectl-orq

.PHONY: kubectl-orq-release
kubectl-orq-release: ## Build a release of the kubectl plugin into dist/: its four archives and the krew manifest filled in for VERSION.
	hack/kubectl-orq-release.sh $(VERSION) dist

.PHONY: run
run: manifests generate envtest ## Run the operator: on the cluster of $KUBECONFIG if set, else on a local control plane; with the in-memory orq API unless ORQ_API_KEY is set. Flags of manager dev: RUN_FLAGS.
	@echo ">> building bin/manager (the first time it compiles client-go and controller-runtime: about 3.5 minutes on 2 cores; Go's build cache is $(shell go env GOCACHE))" >&2
	go build -ldflags "$(GO_LDFLAGS)" -o bin/manager ./cmd/manager
	KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh)" exec bin/manager dev $(RUN_FLAGS)

##@ Deployment

.PHONY: install
install: manifests ## Install the CRD into the cluster of the current kubeconfig.
	kubectl apply --server-side -k config/crd

.PHONY: uninstall
uninstall: ## Remove the CRD and every Agent. With the operator running, each remote agent goes as its deletionPolicy says.
	kubectl delete --ignore-not-found -k config/crd

.PHONY: docker-build
docker-build: ## Build the operator image IMG (needs a Docker engine).
	docker build --build-arg VERSION=$(VERSION) -t $(IMG) .

.PHONY: deploy
deploy: manifests ## Deploy the CRD and the operator (image IMG) to the cluster of the current kubeconfig.
	kubectl kustomize config/default | sed 's#image: controller:latest#image: $(IMG)#' | kubectl apply --server-side -f -

.PHONY: undeploy
undeploy: ## Remove the operator; the CRD, the Agents and their remote agents stay.
	kubectl kustomize config/operator | kubectl delete --ignore-not-found -f -

##@ Dependencies

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Install controller-gen into ./bin.
$(CONTROLLER_GEN):
	@echo ">> installing controller-gen $(CONTROLLER_TOOLS_VERSION) into bin/ for the CRD and deepcopy code, once (about 1.5 minutes on 2 cores; log in bin/controller-gen.log)" >&2
	@GOBIN=$(LOCALBIN) hack/quietly.sh $(LOCALBIN)/controller-gen.log go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)

# The modules of go.mod, downloaded before the first build so that their `go: downloading` lines
# do not bury the build's own messages; again when go.mod or go.sum change.
.PHONY: go-modules
go-modules: $(LOCALBIN)/.go-modules
$(LOCALBIN)/.go-modules: go.mod go.sum
	@echo ">> downloading the Go modules of go.mod into $(shell go env GOMODCACHE) (the first time: about 360 MB, under a minute; log in bin/go-mod-download.log)" >&2
	@hack/quietly.sh $(LOCALBIN)/go-mod-download.log go mod download -x
	@touch $@

.PHONY: helm
helm: ## Build helm from Go modules, cached in the user's cache directory.
	@hack/helm.sh >/dev/null

.PHONY: envtest
envtest: ## Build envtest's kube-apiserver and etcd from Go modules, cached in the user's cache directory.
	@hack/envtest-assets.sh >/dev/null
