package managed

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// secretHeaderKind is testKind with one field from a Secret, sealed as a tool header is.
type secretHeaderKind struct{ testKind }

func (secretHeaderKind) Desired(ctx context.Context, in *Inputs, o Object) (Desired, error) {
	d, err := testKind{}.Desired(ctx, in, o)
	if err != nil {
		return d, err
	}
	ref := orqv1alpha1.SecretKeyReference{Name: "creds", Key: "token"}
	if v, ok := in.Secret(ctx, ref, "spec.header.valueFrom", func(v string) any { return orqclient.Body{"value": v, "encrypted": true} }); ok {
		d.Body["header"] = v
	}
	return d, nil
}

// S2 (review 2): an API message that echoes the request carries a value read from a Secret (a
// tool header, a knowledge base's API key, a schedule variable). Status was redacted of it, but
// the error Reconcile returns, which controller-runtime logs ("Reconciler error"), was not; nor
// was the value in the escaped form a JSON answer quoted raw carries ("/" as "\/", a quote as
// \"). Neither the log nor status may show it, in any form.
func TestS2ASecretValueEchoedByTheAPIReachesNoLogNorStatus(t *testing.T) {
	const value = `Bearer s3cr/t+"v4lue"`
	for name, message := range map[string]string{
		"as it is":         "header invalid: " + value,
		"as JSON, escaped": `{"issues":[{"received":"Bearer s3cr\/t+\"v4lue\""}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			a := sampleAgent("ns", "bot")
			secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "creds"}, Data: map[string][]byte{"token": []byte(value)}}
			api := &fakeAPI{t: t, CreateFn: func(context.Context, orqclient.Body) (*orqclient.Agent, error) {
				return nil, &orqclient.Error{Kind: orqclient.KindInvalid, Op: "create agent", StatusCode: 422, Message: message}
			}}
			r := newTestReconciler(reconcilerFields{Client: newFakeClient(t, a, secret), API: api})
			r.Kind, r.Kinds = secretHeaderKind{}, NewRegistry(secretHeaderKind{})
			stored, _, err := reconcileOnce(t, r, a)
			if err == nil {
				t.Fatal("the refusal was not returned")
			}
			for _, leak := range []string{"s3cr/t", `s3cr\/t`, "v4lue"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("the error Reconcile returns (logged) shows the Secret's value: %s", err)
				}
				for _, c := range stored.Status.Conditions {
					if strings.Contains(c.Message, leak) {
						t.Errorf("condition %s shows the Secret's value: %s", c.Type, c.Message)
					}
				}
			}
		})
	}
}
