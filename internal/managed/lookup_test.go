package managed

import (
	"context"
	"testing"
	"time"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// manualTimers holds the functions keyLookups schedules, to run them when the test says.
type manualTimers struct{ due []func() }

func (m *manualTimers) afterFunc(d time.Duration, f func()) {
	if d != lookupMaxAge {
		panic("a listing is released after lookupMaxAge, not " + d.String())
	}
	m.due = append(m.due, f)
}

func (m *manualTimers) fire() {
	due := m.due
	m.due = nil
	for _, f := range due {
		f()
	}
}

func listingOf(ids map[string]string) func(context.Context, orqclient.ListOptions) (*orqclient.VersionPage, error) {
	return func(context.Context, orqclient.ListOptions) (*orqclient.VersionPage, error) {
		page := &orqclient.VersionPage{}
		for key, id := range ids {
			page.Versions = append(page.Versions, orqclient.Version{ID: id, Key: key})
		}
		return page, nil
	}
}

// A listing serves the lookups of its collection until lookupMaxAge has passed, and is then
// released: no lookup could use it any more.
func TestKeyLookupsReleaseListingsOnceTooOld(t *testing.T) {
	ctx, e := context.Background(), orqclient.Endpoint{Path: "/v2/tools"}
	timers := &manualTimers{}
	l := &keyLookups{afterFunc: timers.afterFunc}
	api := &fakeAPI{t: t, ListFn: listingOf(map[string]string{"weather": "tool-1"})}
	notBefore := time.Now().Add(-time.Second)

	for _, key := range []string{"weather", "other"} {
		want := map[string]string{"weather": "tool-1"}[key]
		if id, err := l.find(ctx, api, "ws", e, "", key, notBefore); err != nil || id != want {
			t.Fatalf("find(%q) = %q, %v; want %q", key, id, err, want)
		}
	}
	if n := api.calls()["list"]; n != 1 {
		t.Fatalf("two lookups in one collection listed it %d times, want once", n)
	}
	if held := l.collection("ws /v2/tools ").ids; held == nil {
		t.Fatal("the listing was not kept for the lookups of the next lookupMaxAge")
	}

	timers.fire()
	if held := l.collection("ws /v2/tools ").ids; held != nil {
		t.Errorf("the listing is still held after lookupMaxAge: %v", held)
	}
	if id, err := l.find(ctx, api, "ws", e, "", "weather", time.Now()); err != nil || id != "tool-1" {
		t.Fatalf("find after the release = %q, %v; want tool-1", id, err)
	}
	if n := api.calls()["list"]; n != 2 {
		t.Errorf("a lookup after the release listed %d times in all, want 2", n)
	}
}

// The release of a listing leaves a newer listing of the same collection alone.
func TestKeyLookupsReleaseKeepsANewerListing(t *testing.T) {
	ctx, e := context.Background(), orqclient.Endpoint{Path: "/v2/tools"}
	timers := &manualTimers{}
	l := &keyLookups{afterFunc: timers.afterFunc}
	api := &fakeAPI{t: t, ListFn: listingOf(map[string]string{"weather": "tool-1"})}

	if _, err := l.find(ctx, api, "ws", e, "", "weather", time.Now()); err != nil {
		t.Fatal(err)
	}
	firstRelease := timers.due
	timers.due = nil
	time.Sleep(time.Millisecond) // the second listing begins later than the first
	if _, err := l.find(ctx, api, "ws", e, "", "weather", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, f := range firstRelease {
		f()
	}
	if l.collection("ws /v2/tools ").ids == nil {
		t.Fatal("releasing the first listing dropped the second")
	}
	if id, err := l.find(ctx, api, "ws", e, "", "weather", time.Now().Add(-time.Second)); err != nil || id != "tool-1" {
		t.Fatalf("find = %q, %v; want tool-1 from the second listing", id, err)
	}
	if n := api.calls()["list"]; n != 2 {
		t.Errorf("listed %d times, want 2 (the third lookup uses the second listing)", n)
	}
}
