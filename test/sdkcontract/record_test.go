package sdkcontract

import (
	"bytes"
	"net/http"
	"sync"
)

// exchange is one answer the SDK received.
type exchange struct {
	method, path string
	status       int
	contentType  string
	body         []byte
}

// recorder keeps every answer of the handler it wraps, byte for byte.
type recorder struct {
	mu        sync.Mutex
	exchanges []exchange
}

// wrap returns next, recording its answers.
func (r *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		cw := &capture{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(cw, req)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.exchanges = append(r.exchanges, exchange{
			method: req.Method, path: req.URL.Path, status: cw.status,
			contentType: w.Header().Get("Content-Type"), body: cw.body.Bytes(),
		})
	})
}

// all returns the recorded answers.
func (r *recorder) all() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.exchanges...)
}

// capture is a ResponseWriter that keeps a copy of status and body.
type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *capture) WriteHeader(status int) {
	c.status = status
	c.ResponseWriter.WriteHeader(status)
}

func (c *capture) Write(b []byte) (int, error) {
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}
