package agent

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// versions lists the versions of releases, newest first.
func versions(rs []orqv1alpha1.Release) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Version
	}
	return out
}

// A release is recorded only for a version this pass published: it wrote the agent, the spec
// asks to publish versions, and orq answered with a new version. The last 10 are kept, newest
// first, each with the generation and revision it was published from.
func TestReportRecordsTheReleasesThisPassPublished(t *testing.T) {
	ten := make([]orqv1alpha1.Release, 10)
	for i := range ten {
		ten[i] = orqv1alpha1.Release{Version: fmt.Sprintf("1.%d.0", 9-i)}
	}
	for _, tc := range []struct {
		name      string
		increment string
		wrote     bool
		answered  string // the version orq answered with
		before    []orqv1alpha1.Release
		want      []string
		published bool
	}{
		{name: "published", increment: "minor", wrote: true, answered: "1.1.0", before: ten[9:], want: []string{"1.1.0", "1.0.0"}, published: true},
		{name: "the eleventh: the oldest goes", increment: "minor", wrote: true, answered: "1.10.0", before: ten,
			want: []string{"1.10.0", "1.9.0", "1.8.0", "1.7.0", "1.6.0", "1.5.0", "1.4.0", "1.3.0", "1.2.0", "1.1.0"}, published: true},
		{name: "read, not written", increment: "minor", answered: "1.1.0", before: ten[9:], want: []string{"1.0.0"}},
		{name: "no versionIncrement", wrote: true, answered: "1.1.0", before: ten[9:], want: []string{"1.0.0"}},
		{name: "the version recorded already", increment: "minor", wrote: true, answered: "1.0.0", before: ten[9:], want: []string{"1.0.0"}},
		{name: "no version in the answer", increment: "minor", wrote: true, before: ten[9:], want: []string{"1.0.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAgent("team", "bot")
			a.Generation, a.Spec.VersionIncrement = 7, tc.increment
			a.Annotations = map[string]string{orqv1alpha1.AnnotationRevision: "abc123"}
			a.Status.Version = "1.0.0"
			a.Status.Releases = append([]orqv1alpha1.Release(nil), tc.before...)
			Kind{}.Report(a, &orqclient.Remote{ID: "01BOT", Raw: orqclient.Body{"_id": "01BOT", "version": tc.answered}}, tc.wrote)
			if got := versions(a.Status.Releases); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("releases %v, want %v", got, tc.want)
			}
			if newest := a.Status.Releases[0]; tc.published && (newest.Generation != 7 || newest.Revision != "abc123" || newest.Time.IsZero()) {
				t.Errorf("the new release is %+v: want generation 7, revision abc123, a time", newest)
			}
		})
	}
}

func TestRevision(t *testing.T) {
	a := newAgent("team", "bot")
	if got := Revision(a); got != "" {
		t.Errorf("no annotation: %q", got)
	}
	a.Annotations = map[string]string{orqv1alpha1.AnnotationRevision: "abc123", "other": "x"}
	if got := Revision(a); got != "abc123" {
		t.Errorf("Revision = %q, want the orq.ai/revision annotation's", got)
	}
}

// An update that publishes a version describes it by the revision it comes from, unless the spec
// describes it; the description fits the API's 300 characters.
func TestPatchDescribesAVersionByItsRevision(t *testing.T) {
	long := strings.Repeat("r", 400)
	for _, tc := range []struct {
		name, increment, description, revision string
		want                                   any // versionDescription sent; nil: none
	}{
		{name: "a revision, no description", increment: "patch", revision: "abc123", want: "revision abc123"},
		{name: "the spec's description wins", increment: "patch", description: "Fixes refunds", revision: "abc123", want: "Fixes refunds"},
		{name: "no version published: no description", revision: "abc123"},
		{name: "no revision known", increment: "patch"},
		{name: "a long revision is cut to 300", increment: "patch", revision: long, want: ("revision " + long)[:300]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAgent("team", "bot")
			a.Spec.VersionIncrement, a.Spec.VersionDescription = tc.increment, tc.description
			if tc.revision != "" {
				a.Annotations = map[string]string{orqv1alpha1.AnnotationRevision: tc.revision}
			}
			body := Kind{}.Patch(a, managed.Desired{Body: desired(t, a)}, []string{"instructions"})
			if got := body["versionDescription"]; got != tc.want {
				t.Errorf("versionDescription = %v, want %v", got, tc.want)
			}
			if body["instructions"] != "Help." {
				t.Errorf("the changed field is not sent: %v", body)
			}
			if a.Spec.VersionDescription != tc.description {
				t.Errorf("Patch changed the Agent's spec: %q", a.Spec.VersionDescription)
			}
		})
	}
}
