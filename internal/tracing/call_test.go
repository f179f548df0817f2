package tracing

import (
	"context"
	"testing"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// A call's span tells the limiter's wait, and a call held back after a 429 as such: no status
// code, since nothing was sent.
func TestACallSpanTellsTheRateLimit(t *testing.T) {
	clearEnv(t)
	rcv := &receiver{}
	tr, err := Start(context.Background(), Config{Endpoint: rcv.serveHTTP(t)})
	if err != nil || tr == nil {
		t.Fatalf("Start: %v, %v", tr, err)
	}
	call := orqclient.Call{Operation: "get tool", Method: "GET", Route: "/v2/tools/{id}", Host: "my.orq.ai:443"}
	_, end := tr.StartCall(context.Background(), call)
	end(orqclient.CallEnd{Status: 200, Waited: 1500 * time.Millisecond})
	_, end = tr.StartCall(context.Background(), call)
	end(orqclient.CallEnd{Status: -1, HeldBack: 30 * time.Second, Err: orqclient.KindRateLimited})
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := rcv.received()
	if len(spans) != 2 {
		t.Fatalf("spans: %v", names(spans))
	}
	paced, held := attrs(spans[0].GetAttributes()), attrs(spans[1].GetAttributes())
	if paced[AttrRateLimitWait] != "1.5" || paced[AttrStatusCode] != "200" || paced[AttrHeldBack] != "" || paced[AttrServer] != "my.orq.ai" || paced[AttrPort] != "443" {
		t.Errorf("paced call: %v", paced)
	}
	if spans[0].GetStatus().GetCode() == tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("paced call in error: %v", spans[0].GetStatus())
	}
	if held[AttrHeldBack] != "true" || held[AttrRetryAfter] != "30" || held[AttrStatusCode] != "" || held[AttrErrorType] != "RateLimited" {
		t.Errorf("held-back call: %v", held)
	}
	if spans[1].GetStatus().GetCode() != tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("held-back call status: %v", spans[1].GetStatus())
	}
}
