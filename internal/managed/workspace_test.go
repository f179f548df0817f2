package managed

import (
	"context"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// An API key read from a Secret is trimmed, recorded by its hash only, and read again only when
// the Secret's resourceVersion changes; a rotated key is used at once; an object being deleted
// whose Secret went first still gets the key last read.
func TestCredentialsFromSecret(t *testing.T) {
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "creds"}, Data: map[string][]byte{"apiKey": []byte(" key-one\n")}}
	agent := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "bot"}}
	agent.Spec.APIKeySecretRef = &orqv1alpha1.SecretKeyReference{Name: "creds", Key: "apiKey"}
	c := newFakeClient(t, secret)
	reads := &countingReader{Reader: c}
	var gotKeys []string
	values := &Values{Cache: c, SecretReader: reads}
	w := &Workspaces{Values: values, For: func(source, key string) (API, error) {
		gotKeys = append(gotKeys, source+"="+key)
		return &fakeAPI{t: t}, nil
	}}
	ctx := context.Background()
	for range 2 {
		if _, hash, err := w.Client(ctx, agent); err != nil || hash != orqclient.KeyHash("key-one") || strings.Contains(hash, "key-one") {
			t.Fatal(err, hash)
		}
	}
	if reads.n != 1 {
		t.Errorf("Secret read %d times, want once while its resourceVersion stays", reads.n)
	}
	if !reflect.DeepEqual(gotKeys, []string{"team/creds/apiKey=key-one", "team/creds/apiKey=key-one"}) {
		t.Errorf("keys: %v", gotKeys)
	}
	if got := w.Of(ctx, agent); got != orqclient.KeyHash("key-one") {
		t.Errorf("workspace %q", got)
	}

	secret.Data["apiKey"] = []byte("key-two")
	if err := c.Update(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, hash, err := w.Client(ctx, agent); err != nil || hash != orqclient.KeyHash("key-two") {
		t.Fatalf("after rotation: %v, %s", err, hash)
	}

	if err := c.Delete(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.Client(ctx, agent); reasonOf(err) != orqv1alpha1.ReasonSecretNotFound || !strings.Contains(err.Error(), "team/creds") {
		t.Errorf("missing Secret: %v", err)
	}
	agent.Status.APIKeyHash = "recorded"
	if got := w.Of(ctx, agent); got != "recorded" {
		t.Errorf("the workspace of an object whose Secret is gone is the one it recorded, not %q", got)
	}
	agent.DeletionTimestamp = ptr.To(metav1.Now())
	if _, _, err := w.Client(ctx, agent); err != nil {
		t.Errorf("deleting, with the key read before: %v", err)
	}

	noKey := &orqv1alpha1.Agent{ObjectMeta: metav1.ObjectMeta{Namespace: "team"}}
	if _, _, err := (&Workspaces{}).Client(ctx, noKey); reasonOf(err) != orqv1alpha1.ReasonNoCredentials {
		t.Errorf("no key at all: %v", err)
	}
	if _, _, err := (&Workspaces{Values: values}).Client(ctx, agent); reasonOf(err) != orqv1alpha1.ReasonNoCredentials {
		t.Errorf("spec.apiKeySecretRef without support for it: %v", err)
	}
}
