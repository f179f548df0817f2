package manifest

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A plan never holds a secret value: each value of a Secret of the manifests is replaced by a
// placeholder naming it, from data and stringData alike; a blank value stays blank (the operator
// waits on it), and the keys stay (a missing key blocks).
func TestDecodeRedactsSecrets(t *testing.T) {
	const doc = `apiVersion: v1
kind: Secret
metadata: {name: creds}
data:
  token: c2VjcmV0LXRva2Vu
  blank: ICA=
stringData:
  authorization: Bearer s3cret
  empty: ""
`
	m, err := Decode(strings.NewReader(doc), "test", "ns")
	if err != nil || len(m.Refused) != 0 || len(m.Objects) != 1 {
		t.Fatalf("%+v, %v", m, err)
	}
	s, ok := m.Objects[0].(*corev1.Secret)
	if !ok || s.Namespace != "ns" {
		t.Fatalf("%#v, want the Secret in ns", m.Objects[0])
	}
	want := map[string]string{
		"token":         Redacted("ns", "creds", "token"),
		"authorization": Redacted("ns", "creds", "authorization"),
		"blank":         "  ",
		"empty":         "",
	}
	if len(s.Data) != len(want) || s.StringData != nil {
		t.Errorf("data %q, stringData %q; want the keys %v in data only", s.Data, s.StringData, want)
	}
	for k, v := range want {
		if got, ok := s.Data[k]; !ok || string(got) != v {
			t.Errorf("key %s: %q, want %q", k, got, v)
		}
	}
	for _, secret := range []string{"secret-token", "s3cret"} {
		if strings.Contains(s.String(), secret) {
			t.Errorf("the decoded Secret holds %q", secret)
		}
	}
}

// A Secret the apiserver refuses is refused, and its refusal quotes no value.
func TestDecodeRefusesBadSecretsWithoutTheirValues(t *testing.T) {
	for name, c := range map[string]struct {
		doc    string
		reason metav1.StatusReason
		says   string
	}{
		"unknown field": {"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringdata: {k: v4lue}\n",
			metav1.StatusReasonBadRequest, `unknown field "stringdata"`},
		"a number in stringData": {"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: 987654321}\n",
			metav1.StatusReasonBadRequest, "the error is not shown"},
		"data not base64": {"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: 'v4lue!!'}\n",
			metav1.StatusReasonBadRequest, "the error is not shown"},
		"a bad key": {"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {'a/b': v4lue}\n",
			metav1.StatusReasonInvalid, `data[a/b]: Invalid value: "a/b"`},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := Decode(strings.NewReader(c.doc), "test", "ns")
			if err != nil || len(m.Refused) != 1 || len(m.Objects) != 0 {
				t.Fatalf("%+v, %v; want one refusal", m, err)
			}
			r := m.Refused[0]
			msg := r.Err.Error()
			if r.Kind != "Secret" || r.Name != "s" || apierrors.ReasonForError(r.Err) != c.reason || !strings.Contains(msg, c.says) {
				t.Errorf("%+v: %s; want %s saying %q", r, msg, c.reason, c.says)
			}
			for _, v := range []string{"v4lue", "987654321"} {
				if strings.Contains(msg, v) {
					t.Errorf("the refusal quotes the value %q: %s", v, msg)
				}
			}
		})
	}
}
