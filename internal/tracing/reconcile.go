package tracing

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"sigs.k8s.io/controller-runtime/pkg/controller"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
)

// Attributes of a reconcile's span. The object is named (kind, namespace, name, key), never
// described: nothing of its spec, status or Secrets.
const (
	AttrKind        = "orq.kind"
	AttrNamespace   = "k8s.namespace.name"
	AttrName        = "orq.name"
	AttrKey         = "orq.key"
	AttrGeneration  = "orq.generation"
	AttrReconcileID = "orq.reconcile_id"
	AttrOutcome     = "orq.outcome"
)

// Where an object came from, as the tools that applied it mark it: span attributes taken from
// annotations or labels (a pair of them joined as "namespace/name"), so that a trace leads back to
// the commit that caused it.
const (
	// AttrRevision is the object's orq.ai/revision annotation: the commit itself, set by you or
	// your tooling (Flux and Argo CD put no revision on the objects they apply).
	AttrRevision = "orq.revision"
	// AttrArgoCDTrackingID is Argo CD's tracking annotation, "<app>:<group>/<kind>:<ns>/<name>":
	// the Application whose status.sync.revision is the commit.
	AttrArgoCDTrackingID = "argocd.tracking_id"
	// AttrFluxKustomization is the Flux Kustomization that applied the object (kustomize-controller's
	// labels): its status.lastAppliedRevision is the commit.
	AttrFluxKustomization = "flux.kustomization"
	// AttrFluxHelmRelease is the Flux HelmRelease that installed it (helm-controller's labels).
	AttrFluxHelmRelease = "flux.helmrelease"
	// AttrHelmRelease is the Helm release that installed it (Helm's own annotations).
	AttrHelmRelease = "helm.release"
	// AttrAppInstance is the app.kubernetes.io/instance label: Argo CD's Application under label
	// tracking, or a Helm release.
	AttrAppInstance = "app.instance"
)

// maxOriginLength bounds what is taken of a user-set annotation or label.
const maxOriginLength = 256

// origins are the annotations (or labels) that say where an object came from, by attribute.
var origins = []struct {
	attr             string
	labels           bool   // read from the labels; else the annotations
	name, namespaced string // the value, and the key of its namespace ("" when none)
}{
	{attr: AttrRevision, name: orqv1alpha1.AnnotationRevision},
	{attr: AttrArgoCDTrackingID, name: "argocd.argoproj.io/tracking-id"},
	{attr: AttrFluxKustomization, labels: true, name: "kustomize.toolkit.fluxcd.io/name", namespaced: "kustomize.toolkit.fluxcd.io/namespace"},
	{attr: AttrFluxHelmRelease, labels: true, name: "helm.toolkit.fluxcd.io/name", namespaced: "helm.toolkit.fluxcd.io/namespace"},
	{attr: AttrHelmRelease, name: "meta.helm.sh/release-name", namespaced: "meta.helm.sh/release-namespace"},
	{attr: AttrAppInstance, labels: true, name: "app.kubernetes.io/instance"},
}

// Reconcile starts the span of one reconcile of o and returns the context of the reconcile; the
// function it returns ends the span with how the pass ended (managed.Reconciler's Trace).
func (t *Tracing) Reconcile(ctx context.Context, kind string, o managed.Object) (context.Context, func(outcome string)) {
	ctx, span := t.tracer.Start(ctx, "reconcile "+kind, trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(objectAttributes(ctx, kind, o)...))
	return ctx, func(outcome string) {
		span.SetAttributes(attribute.String(AttrOutcome, outcome))
		if strings.HasPrefix(outcome, "failed") {
			span.SetStatus(codes.Error, outcome) // "failed: <Reason>": the reason only, no message
		}
		span.End()
	}
}

// objectAttributes name the object of a reconcile and where it came from.
func objectAttributes(ctx context.Context, kind string, o managed.Object) []attribute.KeyValue {
	attrs := []attribute.KeyValue{
		attribute.String(AttrKind, kind),
		attribute.String(AttrNamespace, o.GetNamespace()),
		attribute.String(AttrName, o.GetName()),
		attribute.Int64(AttrGeneration, o.GetGeneration()),
	}
	if key := o.RemoteKey(); key != "" {
		attrs = append(attrs, attribute.String(AttrKey, key))
	}
	if id := controller.ReconcileIDFromContext(ctx); id != "" {
		attrs = append(attrs, attribute.String(AttrReconcileID, string(id))) // in the reconcile's log lines too
	}
	return append(attrs, originAttributes(o.GetAnnotations(), o.GetLabels())...)
}

// originAttributes are the origins an object carries.
func originAttributes(annotations, labels map[string]string) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	for _, origin := range origins {
		from := annotations
		if origin.labels {
			from = labels
		}
		value := from[origin.name]
		if value == "" {
			continue
		}
		if ns := from[origin.namespaced]; origin.namespaced != "" && ns != "" {
			value = ns + "/" + value
		}
		attrs = append(attrs, attribute.String(origin.attr, cut(value)))
	}
	return attrs
}

// cut bounds a value set by users; a rune cut in two is dropped.
func cut(s string) string {
	if len(s) <= maxOriginLength {
		return s
	}
	return strings.ToValidUTF8(s[:maxOriginLength], "")
}
