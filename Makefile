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

export ENVTEST_K8S_VERSION ENVTEST_ETCD_VERSION HELM_VERSION

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  %-16s %s\n", $$1, $$2 } /^##@/ { printf "\n%s\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate the CRD and RBAC manifests (descriptions unwrapped into prose by hack/crd-prose), and the Argo CD health check of each kind.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd:allowDangerousTypes=true webhook paths="./..." output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	go run ./hack/crd-prose config/crd/bases/*.yaml
	cp config/crd/bases/*.yaml charts/orq-operator/crds/
	go run ./hack/argocd-health

.PHONY: generate
generate: controller-gen ## Generate the DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./..."

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
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
test: manifests generate fmt vet envtest helm ## Run all tests: unit, contract, envtest suites, packaging (chart vs kustomize), policies, and test/ksm (a module of its own).
	HELM="$$(hack/helm.sh)" KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh)" go test $(GO_TEST_FLAGS) ./... -coverprofile cover.out
	cd test/ksm && go vet ./... && HELM="$$(../../hack/helm.sh)" go test $(GO_TEST_FLAGS) ./...

.PHONY: bench
bench: envtest ## Benchmark the operator against the bounds of its work (docs/performance.md), e.g. BENCH_FLAGS="-n 100,1000 -out docs/performance-results.md".
	KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh)" go run ./hack/bench $(BENCH_FLAGS)

.PHONY: fuzz
fuzz: ## Run each fuzz target for a short time (FUZZTIME, default 10s).
	hack/fuzz.sh $${FUZZTIME:-10s}

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build the manager and the in-memory orq API.
	go build -o bin/manager ./cmd/manager
	go build -o bin/orq-mem-api ./cmd/orq-mem-api

.PHONY: run
run: manifests generate envtest ## Run the operator: on the cluster of $KUBECONFIG if set, else on a local control plane; with the in-memory orq API unless ORQ_API_KEY is set.
	go build -o bin/manager ./cmd/manager
	KUBEBUILDER_ASSETS="$$(hack/envtest-assets.sh)" exec bin/manager dev

##@ Deployment

.PHONY: install
install: manifests ## Install the CRD into the cluster of the current kubeconfig.
	kubectl apply --server-side -k config/crd

.PHONY: uninstall
uninstall: ## Remove the CRD and every Agent. With the operator running, each remote agent goes as its deletionPolicy says.
	kubectl delete --ignore-not-found -k config/crd

.PHONY: docker-build
docker-build: ## Build the operator image IMG (needs a Docker engine).
	docker build -t $(IMG) .

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
	mkdir -p $(LOCALBIN)
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)

.PHONY: helm
helm: ## Build helm from Go modules, cached in the user's cache directory.
	@hack/helm.sh >/dev/null

.PHONY: envtest
envtest: ## Build envtest's kube-apiserver and etcd from Go modules, cached in the user's cache directory.
	@hack/envtest-assets.sh >/dev/null
