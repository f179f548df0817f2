package controller

import (
	"context"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

func member(name, namespace string) orqv1alpha1.TeamMember {
	return orqv1alpha1.TeamMember{AgentRef: &orqv1alpha1.AgentReference{Name: name, Namespace: namespace}}
}

func TestRefTargets(t *testing.T) {
	a := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "lead"}}
	a.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{
		member("writer", ""), {Key: "outside"}, member("writer", "team"), member("shared", "other"),
	}
	want := []types.NamespacedName{{Namespace: "team", Name: "writer"}, {Namespace: "other", Name: "shared"}}
	if got := refTargets(a); !reflect.DeepEqual(got, want) {
		t.Errorf("refTargets = %v, want %v (the referrer's namespace by default, no repeats, keys ignored)", got, want)
	}
	if got := refsOf(a); !reflect.DeepEqual(got, []string{"team/writer", "other/shared"}) {
		t.Errorf("refsOf = %v", got)
	}
}

func TestAllowsReferencesFrom(t *testing.T) {
	for _, tc := range []struct {
		allow []string
		from  string
		want  bool
	}{
		{nil, "team", true}, // the same namespace
		{nil, "other", false},
		{[]string{"other"}, "other", true},
		{[]string{"another"}, "other", false},
		{[]string{"*"}, "other", true},
	} {
		target := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "team"}, Spec: orqv1alpha1.AgentSpec{Lifecycle: orqv1alpha1.Lifecycle{AllowReferencesFrom: tc.allow}}}
		if got := allowsReferencesFrom(target, tc.from); got != tc.want {
			t.Errorf("allow %v, from %s: got %v", tc.allow, tc.from, got)
		}
	}
}

func TestResolvable(t *testing.T) {
	ready := []metav1.Condition{{Type: orqv1alpha1.ConditionReady, Status: metav1.ConditionTrue}}
	notReady := []metav1.Condition{{Type: orqv1alpha1.ConditionReady, Status: metav1.ConditionFalse}}
	now := metav1.Now()
	for _, tc := range []struct {
		name     string
		status   orqv1alpha1.AgentStatus
		deleting bool
		want     bool
	}{
		{"not processed yet", orqv1alpha1.AgentStatus{}, false, false},
		{"Ready (also an observed agent, which has no id)", orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{Conditions: ready}}, false, true},
		{"created, then a transient failure", orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ID: "01J", Conditions: notReady}}, false, true},
		{"refused by the API", orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{Conditions: notReady}}, false, false},
		{"being deleted", orqv1alpha1.AgentStatus{ResourceStatus: orqv1alpha1.ResourceStatus{ID: "01J", Conditions: ready}}, true, false},
	} {
		a := &orqv1alpha1.Agent{Status: tc.status}
		if tc.deleting {
			a.DeletionTimestamp = &now
		}
		if got := resolvable(a); got != tc.want {
			t.Errorf("%s: got %v", tc.name, got)
		}
	}
}

// The dependency watches pass only the changes that can matter to other Agents: each one costs
// the woken Agents a read of their remote agent.
func TestDependencyPredicates(t *testing.T) {
	base := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "writer"}}
	now := metav1.Now()
	for _, tc := range []struct {
		name             string
		edit             func(*orqv1alpha1.Agent)
		referrers, leave bool
	}{
		{"nothing relevant (a status time)", func(a *orqv1alpha1.Agent) { a.Status.LastSyncTime = &now }, false, false},
		{"spec change", func(a *orqv1alpha1.Agent) { a.Spec.Instructions = "new" }, false, false},
		{"its agent exists now", func(a *orqv1alpha1.Agent) { a.Status.ID = "01J" }, true, false},
		{"deletion starts", func(a *orqv1alpha1.Agent) { a.DeletionTimestamp = &now }, true, false},
		{"consent", func(a *orqv1alpha1.Agent) { a.Spec.AllowReferencesFrom = []string{"*"} }, true, false},
		{"its remote team", func(a *orqv1alpha1.Agent) { a.Status.TeamKeys = []string{"editor"} }, false, true},
		{"its references", func(a *orqv1alpha1.Agent) { a.Spec.TeamOfAgents = []orqv1alpha1.TeamMember{member("editor", "")} }, false, true},
	} {
		changed := base.DeepCopy()
		tc.edit(changed)
		e := updateEvent(base, changed)
		if got := (referencesChanged{}).Update(e); got != tc.referrers {
			t.Errorf("%s: referencesChanged = %v", tc.name, got)
		}
		if got := (teamChanged{}).Update(e); got != tc.leave {
			t.Errorf("%s: teamChanged = %v", tc.name, got)
		}
	}
}

// Waiting for another object of the cluster is Reconciling, not Stalled, with a slow
// safety-net requeue and no error; the generation is not observed yet.
func TestWaitingOnTheClusterIsReconciling(t *testing.T) {
	a := &orqv1alpha1.Agent{}
	a.Generation = 2
	r := &AgentReconciler{SyncPeriod: 30e9}
	p := &pass{agent: a, end: endFailed, err: failure(waitingOnCluster, orqv1alpha1.ReasonDependencyNotReady, "waiting for team members: x")}
	a.Status = r.status(p)
	res, err := r.result(context.Background(), p)
	if err != nil || res.RequeueAfter < 27e9 {
		t.Errorf("waiting on the cluster: no error, a slow safety-net requeue; got %v, %v", res, err)
	}
	if !meta.IsStatusConditionTrue(a.Status.Conditions, orqv1alpha1.ConditionReconciling) || meta.FindStatusCondition(a.Status.Conditions, orqv1alpha1.ConditionStalled) != nil {
		t.Errorf("waiting is Reconciling, not Stalled: %+v", a.Status.Conditions)
	}
	if a.Status.ObservedGeneration == a.Generation {
		t.Error("a generation waited on is not observed yet")
	}
}

func TestCredentialSource(t *testing.T) {
	own := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "bot"}}
	withSecret := own.DeepCopy()
	withSecret.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
	if credentialSource(own) != "" || credentialSource(withSecret) != "a/creds/apiKey" {
		t.Errorf("sources: %q, %q", credentialSource(own), credentialSource(withSecret))
	}
	if !reflect.DeepEqual(secretOf(withSecret), []string{"a/creds"}) || secretOf(own) != nil {
		t.Errorf("secretOf: %v, %v", secretOf(withSecret), secretOf(own))
	}
}

func TestStripToIdentity(t *testing.T) {
	m := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
		Namespace: "team", Name: "creds", ResourceVersion: "42", UID: "u",
		Annotations:     map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"apiKey":"c2VjcmV0"}}`},
		Labels:          map[string]string{"a": "b"},
		ManagedFields:   []metav1.ManagedFieldsEntry{{Manager: "kubectl"}},
		OwnerReferences: []metav1.OwnerReference{{Name: "x"}},
		Finalizers:      []string{"f"},
	}}
	out, err := stripToIdentity(m)
	if err != nil {
		t.Fatal(err)
	}
	want := metav1.ObjectMeta{Namespace: "team", Name: "creds", ResourceVersion: "42", UID: "u"}
	if got := out.(*metav1.PartialObjectMetadata).ObjectMeta; !reflect.DeepEqual(got, want) {
		t.Errorf("kept %+v", got)
	}
}

func TestStripAgent(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   map[string]string
		want map[string]string
	}{
		{"kubectl's copy of the manifest goes", map[string]string{lastApplied: `{"spec":{}}`, orqv1alpha1.AnnotationSyncInterval: "5m"}, map[string]string{orqv1alpha1.AnnotationSyncInterval: "5m"}},
		{"no annotation left: nil", map[string]string{lastApplied: `{"spec":{}}`}, nil},
		{"other annotations stay", map[string]string{orqv1alpha1.AnnotationCreateAttempt: "t"}, map[string]string{orqv1alpha1.AnnotationCreateAttempt: "t"}},
		{"none", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Name: "bot", Annotations: tc.in,
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}, Finalizers: []string{orqv1alpha1.FinalizerName}}}
			a.Spec.Role = "Support"
			out, err := stripAgent(a)
			if err != nil {
				t.Fatal(err)
			}
			got := out.(*orqv1alpha1.Agent)
			if !reflect.DeepEqual(got.Annotations, tc.want) || got.ManagedFields != nil {
				t.Errorf("annotations %v, managedFields %v; want %v and none", got.Annotations, got.ManagedFields, tc.want)
			}
			if got.Spec.Role != "Support" || !reflect.DeepEqual(got.Finalizers, []string{orqv1alpha1.FinalizerName}) {
				t.Errorf("the spec or the finalizers changed: %+v", got)
			}
		})
	}
}

// A Secret read once is not read again until its resourceVersion changes; a deleted Agent whose
// Secret is gone still gets the key last read.
func TestCredentialsFromSecret(t *testing.T) {
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "creds"}, Data: map[string][]byte{"apiKey": []byte(" key-one\n")}}
	agent := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "bot"}}
	agent.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
	c := newFakeClient(t, secret)
	reads := &countingReader{Reader: c}
	var gotKeys []string
	r := &AgentReconciler{Client: c, SecretReader: reads, APIFor: func(source, key string) (AgentAPI, error) {
		gotKeys = append(gotKeys, source+"="+key)
		return &fakeAPI{t: t}, nil
	}}
	ctx := context.Background()
	for range 2 {
		if _, hash, err := r.credentials(ctx, agent); err != nil || hash != orqclient.KeyHash("key-one") || strings.Contains(hash, "key-one") {
			t.Fatal(err, hash)
		}
	}
	if reads.n != 1 {
		t.Errorf("Secret read %d times, want once while its resourceVersion stays", reads.n)
	}
	if !reflect.DeepEqual(gotKeys, []string{"team/creds/apiKey=key-one", "team/creds/apiKey=key-one"}) {
		t.Errorf("keys: %v", gotKeys)
	}

	secret.Data["apiKey"] = []byte("key-two")
	if err := c.Update(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, hash, err := r.credentials(ctx, agent); err != nil || hash != orqclient.KeyHash("key-two") {
		t.Fatalf("after rotation: %v, %s", err, hash)
	}

	if err := c.Delete(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.credentials(ctx, agent); reasonOf(err) != orqv1alpha1.ReasonSecretNotFound || !strings.Contains(err.Error(), "team/creds") {
		t.Errorf("missing Secret: %v", err)
	}
	agent.DeletionTimestamp = ptr.To(metav1.Now())
	if _, _, err := r.credentials(ctx, agent); err != nil {
		t.Errorf("deleting, with the key read before: %v", err)
	}

	noKey := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "team"}}
	if _, _, err := (&AgentReconciler{}).credentials(ctx, noKey); reasonOf(err) != orqv1alpha1.ReasonNoCredentials {
		t.Errorf("no key at all: %v", err)
	}
}
