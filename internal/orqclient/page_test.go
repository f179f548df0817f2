package orqclient

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type item struct{ id string }

// pages is a list function serving fixed pages by cursor: "" is the first page.
func pages(byCursor map[string][]string, more func(cursor string) bool) func(context.Context, ListOptions) ([]item, bool, error) {
	return func(_ context.Context, o ListOptions) ([]item, bool, error) {
		var items []item
		for _, id := range byCursor[o.StartingAfter] {
			items = append(items, item{id})
		}
		return items, more(o.StartingAfter), nil
	}
}

func eachPage(list func(context.Context, ListOptions) ([]item, bool, error)) (int, error) {
	n := 0
	err := EachPage(context.Background(), 2, list, func(i item) string { return i.id }, func(item) { n++ })
	return n, err
}

func TestEachPageFailsWhenTheCursorDoesNotAdvance(t *testing.T) {
	always := func(string) bool { return true }
	cases := map[string]func(context.Context, ListOptions) ([]item, bool, error){
		// A proxy that drops the query: the first page, again and again.
		"starting_after ignored": pages(map[string][]string{"": {"a", "b"}, "b": {"a", "b"}}, always),
		// The page after b ends with b again.
		"last id repeats the cursor": pages(map[string][]string{"": {"a", "b"}, "b": {"c", "b"}}, always),
		// The third page comes back to an id of the first.
		"ids seen before":         pages(map[string][]string{"": {"a", "b"}, "b": {"c", "d"}, "d": {"a", "e"}}, always),
		"empty page with more":    pages(map[string][]string{"": {"a", "b"}}, always),
		"no id to continue after": pages(map[string][]string{"": {"a", ""}}, always),
	}
	for name, list := range cases {
		t.Run(name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := eachPage(list); done <- err }()
			select {
			case err := <-done:
				if err == nil || KindOf(err) != KindUnavailable {
					t.Errorf("EachPage: %v, want a KindUnavailable error", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("EachPage loops")
			}
		})
	}
}

func TestEachPageListsEveryPageOnce(t *testing.T) {
	list := pages(map[string][]string{"": {"a", "b"}, "b": {"c", "d"}, "d": {"e"}}, func(c string) bool { return c != "d" })
	if n, err := eachPage(list); err != nil || n != 5 {
		t.Errorf("listed %d, %v", n, err)
	}
}

func TestEachPageIsBounded(t *testing.T) {
	calls := 0
	endless := func(_ context.Context, o ListOptions) ([]item, bool, error) {
		calls++
		items := make([]item, o.Limit)
		for i := range items {
			items[i] = item{fmt.Sprintf("%d-%d", calls, i)}
		}
		return items, true, nil
	}
	err := EachPage(context.Background(), MaxPageSize, endless, func(i item) string { return i.id }, func(item) {})
	if KindOf(err) != KindUnavailable || calls != 1<<20/MaxPageSize+1 {
		t.Errorf("after %d pages: %v", calls, err)
	}
}

func TestListAllAgentsEndsWhenTheServerIgnoresTheCursor(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"object":"list","has_more":true,"data":[{"_id":"01B","key":"b"},{"_id":"01A","key":"a"}]}`))
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := newClient(t, srv.URL, time.Second).ListAllAgents(ctx, 2)
	if KindOf(err) != KindUnavailable || !strings.Contains(err.Error(), "01B") {
		t.Errorf("ListAllAgents: %v", err)
	}
}
