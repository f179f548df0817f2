package orqclient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

func TestGetAgentDecodesTimesAndTeam(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"_id":"01A","key":"lead","created":"2026-11-24T10:00:00.000Z","updated":"2026-11-24T11:00:00.500Z",
			"team_of_agents":[{"key":"helper","role":"r"},{"role":"no key"},{"key":"writer"}]}`))
	}))
	defer srv.Close()
	a, err := newClient(t, srv.URL, 0).GetAgent(context.Background(), "lead")
	if err != nil {
		t.Fatal(err)
	}
	if a.Created != "2026-11-24T10:00:00.000Z" || a.Updated != "2026-11-24T11:00:00.500Z" {
		t.Errorf("created %q updated %q: the API's strings, as sent", a.Created, a.Updated)
	}
	if !reflect.DeepEqual(a.TeamKeys, []string{"helper", "writer"}) {
		t.Errorf("TeamKeys = %q", a.TeamKeys)
	}
	if a.Raw["team_of_agents"] == nil {
		t.Error("Raw is kept")
	}
}

func TestRefused(t *testing.T) {
	cases := []struct {
		err           error
		want, notSent bool
	}{
		{&Error{Kind: KindInvalid, StatusCode: 400}, true, false},
		{&Error{Kind: KindConflict, StatusCode: 409}, true, false},
		{&Error{Kind: KindRateLimited, StatusCode: 429}, true, false},
		{&Error{Kind: KindRateLimited}, true, true}, // held by the gate, never sent
		{&Error{Kind: KindUnavailable, StatusCode: 503}, false, false},
		{&Error{Kind: KindUnavailable, StatusCode: 408}, false, false}, // the request may have landed
		{&Error{Kind: KindUnavailable, Message: "timeout"}, false, false},
		{&Error{Kind: KindMisconfigured, StatusCode: 302}, false, false},
		{errors.New("other"), false, false},
	}
	for _, tc := range cases {
		if got := Refused(tc.err); got != tc.want {
			t.Errorf("Refused(%v) = %v, want %v", tc.err, got, tc.want)
		}
		if got := NotSent(tc.err); got != tc.notSent {
			t.Errorf("NotSent(%v) = %v, want %v", tc.err, got, tc.notSent)
		}
	}
}
